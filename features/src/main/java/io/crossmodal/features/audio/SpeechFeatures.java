package io.crossmodal.features.audio;

import io.crossmodal.features.FeatureInputException;

/**
 * The one speech front end: checks the audio against {@link AudioLimits}, computes trimmed log-mel
 * frames and resamples them to the model's fixed frame count. The trainer and the encoder service
 * both call this class, so features cannot drift between training and serving.
 */
public final class SpeechFeatures {

    /** Upper bound on client-supplied frame counts (10 s at 10 ms). */
    public static final int MAX_FRAMES = 1000;

    private final LogMelFilterbank filterbank;
    private final AudioLimits limits;
    private final int fixedFrames;

    public SpeechFeatures(FbankConfig config, AudioLimits limits, int fixedFrames) {
        if (fixedFrames < 1) {
            throw new IllegalArgumentException("fixedFrames must be positive");
        }
        this.filterbank = new LogMelFilterbank(config);
        this.limits = limits;
        this.fixedFrames = fixedFrames;
    }

    public int fixedFrames() {
        return fixedFrames;
    }

    public int melBins() {
        return filterbank.config().melBins();
    }

    public FbankConfig config() {
        return filterbank.config();
    }

    /** Trimmed log-mel frames of a checked signal. */
    public float[][] logMel(AudioSignal signal) {
        return filterbank.compute(limits.check(signal));
    }

    /** Model input [fixedFrames][melBins] from audio. */
    public float[][] fromAudio(AudioSignal signal) {
        return FixedLengthFrames.resample(logMel(signal), fixedFrames);
    }

    /** Model input from client-supplied log-mel frames (checked: count, width, finite). */
    public float[][] fromFrames(float[][] frames) {
        if (frames.length == 0) {
            throw new FeatureInputException("no filterbank frames given");
        }
        if (frames.length > MAX_FRAMES) {
            throw new FeatureInputException(frames.length + " filterbank frames, the limit is " + MAX_FRAMES);
        }
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].length != melBins()) {
                throw new FeatureInputException("filterbank frame " + i + " has " + frames[i].length + " values, expected "
                        + melBins() + " mel bins");
            }
            for (int b = 0; b < frames[i].length; b++) {
                if (!Float.isFinite(frames[i][b])) {
                    throw new FeatureInputException("filterbank frame " + i + " bin " + b + " is " + frames[i][b]
                            + " (values must be finite)");
                }
            }
        }
        return FixedLengthFrames.resample(frames, fixedFrames);
    }
}
