package io.crossmodal.family.vqvae.serving;

import com.google.protobuf.ByteString;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.SpeakerRef;
import io.crossmodal.family.pvae.serving.PvaeLimits;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.features.FeatureInputException;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.FixedLengthFrames;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One loaded VQ-VAE: its graphs, sizes, speakers and the trainer's speech front end
 * ({@link SpeechFeatures} with the model's mel bins), shared by the encoder and decoder handles.
 * Turns proto inputs into checked {@link Speech}, every problem an {@link InvalidInputException}
 * naming the input.
 */
final class VqvaeModel implements AutoCloseable {

    final String name;
    final OrtVqvae ort;
    final SpeechFeatures speech;
    final PvaeLimits limits;
    final List<String> speakers;
    final int frames;
    final int melBins;
    final int latentDim;
    final int codes;
    final int downsample;
    final FbankConfig fbank;

    VqvaeModel(Bundle bundle, String component, SessionFactory sessions, PvaeLimits limits) {
        ComponentSpec c = bundle.component(component);
        if (!VqvaeBundleLayout.TYPE.equals(c.type())) {
            throw new IllegalArgumentException("component '" + component + "' of bundle " + bundle.model() + "/"
                    + bundle.version() + " is a " + c.type() + " component, not a VQ-VAE");
        }
        this.name = bundle.model() + "/" + bundle.version();
        this.frames = size(c, "frames");
        this.melBins = size(c, "melBins");
        this.latentDim = size(c, "latentDim");
        this.codes = size(c, "codes");
        this.downsample = size(c, "downsample");
        int stateSize = size(c, "stateSize");
        FbankConfig d = FbankConfig.DEFAULT;
        this.fbank = new FbankConfig(melBins, d.windowMs(), d.hopMs(), d.fMinHz(), d.fMaxHz(), d.trimDb());
        this.limits = limits;
        this.speech = new SpeechFeatures(fbank, new AudioLimits(AudioLimits.DEFAULT.sampleRates(), limits.maxAudioSeconds()), frames);
        this.speakers = Arrays.stream(new String(bundle.readFile(VqvaeBundleLayout.SPEAKERS_FILE), StandardCharsets.UTF_8)
                .split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        byte[] units = c.graphs().containsKey(VqvaeBundleLayout.UNITS)
                ? bundle.readFile(c.graph(VqvaeBundleLayout.UNITS).file()) : null;
        this.ort = new OrtVqvae(sessions, new VqvaeGraphs.Graphs(bundle.readFile(c.graph(VqvaeBundleLayout.ENCODER).file()), units,
                bundle.readFile(c.graph(VqvaeBundleLayout.DECODER_STEP).file()),
                bundle.readFile(c.graph(VqvaeBundleLayout.SPEAKER).file())), melBins, latentDim, stateSize, downsample);
    }

    private static int size(ComponentSpec c, String name) {
        Integer v = c.sizes().get(name);
        if (v == null || v < 0) {
            throw new IllegalArgumentException("VQ-VAE component lacks size '" + name + "' (has " + c.sizes() + ")");
        }
        return v;
    }

    /** Most latents one request may ask the decoder to generate from: SpeechFeatures.MAX_FRAMES frames. */
    int maxUnits() {
        return SpeechFeatures.MAX_FRAMES / downsample;
    }

    Speech audio(Audio audio, String what) {
        float[] samples = new float[audio.getSamplesCount()];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = audio.getSamples(i);
        }
        try {
            return fromLogMel(speech.logMel(new AudioSignal(samples, audio.getSampleRate())));
        } catch (FeatureInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
    }

    Speech wav(ByteString wav, String what) {
        if (wav.isEmpty()) {
            throw new InvalidInputException(what + ": WAV data is empty");
        }
        try {
            return fromLogMel(speech.logMel(WavDecoder.decode(wav.toByteArray(), limits.maxWavBytes())));
        } catch (FeatureInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
    }

    Speech frames(FrameSequence fs, String what) {
        int dim = fs.getFrameDim();
        if (dim != melBins) {
            throw new InvalidInputException(what + ": frame_dim is " + dim + ", the model takes " + melBins + " mel bins");
        }
        if (fs.getValuesCount() % dim != 0) {
            throw new InvalidInputException(what + ": " + fs.getValuesCount() + " values is not a multiple of frame_dim " + dim);
        }
        int n = fs.getValuesCount() / dim;
        if (n > SpeechFeatures.MAX_FRAMES) {
            throw new InvalidInputException(what + ": " + n + " filterbank frames, the limit is " + SpeechFeatures.MAX_FRAMES);
        }
        float[][] rows = new float[n][dim];
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < dim; b++) {
                rows[t][b] = fs.getValues(t * dim + b);
            }
        }
        try {
            return new Speech(speech.fromFrames(rows), n * fbank.hopMs() / 1000.0);
        } catch (FeatureInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
    }

    private Speech fromLogMel(float[][] logMel) {
        return new Speech(FixedLengthFrames.resample(logMel, frames), logMel.length * fbank.hopMs() / 1000.0);
    }

    /** A voice: a speaker index now, or a recording whose speaker the run resolves. */
    record Voice(int speaker, Speech reference) {}

    Voice voice(SpeakerRef ref, String what) {
        return switch (ref.getSpeakerCase()) {
            case NAME -> {
                int i = speakers.indexOf(ref.getName());
                if (i < 0) {
                    throw new InvalidInputException(what + ": unknown speaker '" + ref.getName() + "'; model " + name
                            + " knows " + speakers);
                }
                yield new Voice(i, null);
            }
            case AUDIO -> new Voice(-1, audio(ref.getAudio(), what + ".audio"));
            case WAV -> new Voice(-1, wav(ref.getWav(), what + ".wav"));
            case FRAMES -> new Voice(-1, frames(ref.getFrames(), what + ".frames"));
            case SPEAKER_NOT_SET -> throw new InvalidInputException(what + " is required: a speaker name (one of " + speakers
                    + ") or a reference recording (audio, wav or frames)");
        };
    }

    @Override
    public void close() {
        ort.close();
    }
}
