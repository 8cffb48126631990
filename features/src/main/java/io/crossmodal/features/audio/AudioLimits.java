package io.crossmodal.features.audio;

import io.crossmodal.features.FeatureInputException;
import java.util.Set;
import java.util.TreeSet;

/**
 * What audio input is accepted: the sample rates the filterbank supports (no resampling is done,
 * so a model never sees features of a rate it was not designed for) and a maximum duration, so
 * a client cannot make a service spend unbounded time or memory on one request.
 */
public record AudioLimits(Set<Integer> sampleRates, double maxSeconds) {

    /** 8 kHz (the FSDD rate) and 16 kHz; up to 10 s. */
    public static final AudioLimits DEFAULT = new AudioLimits(Set.of(8000, 16000), 10.0);

    public AudioLimits {
        sampleRates = Set.copyOf(sampleRates);
        if (sampleRates.isEmpty()) {
            throw new IllegalArgumentException("at least one sample rate must be supported");
        }
        if (!(maxSeconds > 0)) {
            throw new IllegalArgumentException("maxSeconds must be positive, got " + maxSeconds);
        }
    }

    /** Throws {@link FeatureInputException} saying what is wrong, or returns the signal unchanged. */
    public AudioSignal check(AudioSignal signal) {
        if (!sampleRates.contains(signal.sampleRate())) {
            throw new FeatureInputException("unsupported sample rate " + signal.sampleRate() + " Hz (supported: "
                    + new TreeSet<>(sampleRates) + " Hz; resample the audio first)");
        }
        if (signal.seconds() > maxSeconds) {
            throw new FeatureInputException(String.format(java.util.Locale.ROOT,
                    "audio too long: %.2f s, the limit is %.2f s", signal.seconds(), maxSeconds));
        }
        float[] s = signal.samples();
        if (s.length == 0) {
            throw new FeatureInputException("audio has no samples");
        }
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                throw new FeatureInputException("audio sample " + i + " is " + s[i] + " (samples must be finite)");
            }
            if (s[i] < -1.0001f || s[i] > 1.0001f) {
                throw new FeatureInputException("audio sample " + i + " is " + s[i]
                        + " (float samples must lie in [-1, 1]: 16-bit PCM divided by 32768)");
            }
        }
        return signal;
    }
}
