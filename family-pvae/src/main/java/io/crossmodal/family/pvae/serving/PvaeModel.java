package io.crossmodal.family.pvae.serving;

import com.google.protobuf.ByteString;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.features.FeatureInputException;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.features.image.ImageInput;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.List;

/**
 * One loaded PVAE: its ONNX Runtime graphs, its sizes and the speech front end it was trained with
 * ({@link SpeechFeatures}, the trainer's own class), shared by the encoder and decoder handles.
 * Turns the proto inputs into checked {@link Features}, every problem an {@link InvalidInputException}
 * that names the input ({@code what}) and says what is wrong.
 */
final class PvaeModel implements AutoCloseable {

    final String name;
    final OrtPvae ort;
    final SpeechFeatures speech;
    final PvaeLimits limits;
    final int sharedDim;
    final int styleDim;
    final boolean speechEncoder;
    final boolean imageEncoder;
    final boolean speechDecoder;
    final boolean imageDecoder;

    PvaeModel(Bundle bundle, String component, io.crossmodal.runtime.onnx.SessionFactory sessions, PvaeLimits limits) {
        ComponentSpec c = bundle.component(component);
        if (!PvaeBundleLayout.TYPE.equals(c.type())) {
            throw new IllegalArgumentException("component '" + component + "' of bundle " + bundle.model() + "/"
                    + bundle.version() + " is a " + c.type() + " component, not a PVAE");
        }
        this.name = bundle.model() + "/" + bundle.version();
        int frames = size(c, "frames");
        int melBins = size(c, "melBins");
        this.sharedDim = size(c, "sharedDim");
        this.styleDim = size(c, "styleDim");
        FbankConfig fbank = FbankConfig.DEFAULT;
        if (melBins != fbank.melBins()) {
            throw new IllegalArgumentException("bundle " + name + " has " + melBins + " mel bins; the speech front end computes "
                    + fbank.melBins());
        }
        this.limits = limits;
        this.speech = new SpeechFeatures(fbank, new AudioLimits(AudioLimits.DEFAULT.sampleRates(), limits.maxAudioSeconds()), frames);
        this.speechEncoder = c.graphs().containsKey(PvaeBundleLayout.SPEECH_ENCODER);
        this.imageEncoder = c.graphs().containsKey(PvaeBundleLayout.IMAGE_ENCODER);
        this.speechDecoder = c.graphs().containsKey(PvaeBundleLayout.SPEECH_DECODER);
        this.imageDecoder = c.graphs().containsKey(PvaeBundleLayout.IMAGE_DECODER);
        this.ort = new OrtPvae(sessions, new OrtPvae.Graphs(graph(bundle, component, c, PvaeBundleLayout.SPEECH_ENCODER),
                graph(bundle, component, c, PvaeBundleLayout.IMAGE_ENCODER),
                graph(bundle, component, c, PvaeBundleLayout.SPEECH_DECODER),
                graph(bundle, component, c, PvaeBundleLayout.IMAGE_DECODER)), frames, melBins);
    }

    private static int size(ComponentSpec c, String name) {
        Integer v = c.sizes().get(name);
        if (v == null || v < 0) {
            throw new IllegalArgumentException("PVAE component lacks size '" + name + "' (has " + c.sizes() + ")");
        }
        return v;
    }

    private static byte[] graph(Bundle bundle, String component, ComponentSpec c, String role) {
        return c.graphs().containsKey(role) ? bundle.readFile(c.graph(role).file()) : null;
    }

    boolean hasEncoder(Modality m) {
        return m == Modality.SPEECH ? speechEncoder : imageEncoder;
    }

    boolean hasDecoder(Modality m) {
        return m == Modality.SPEECH ? speechDecoder : imageDecoder;
    }

    /** Rejects an input whose modality this model has no encoder for. */
    void requireEncoder(Modality m, String what) {
        if (!hasEncoder(m)) {
            throw new InvalidInputException(what + ": model " + name + " has no " + m.word() + " encoder (it was trained"
                    + " without " + m.word() + "); it takes " + (hasEncoder(other(m)) ? other(m).word() + " input" : "no input"));
        }
    }

    void requireDecoder(Modality m, String what) {
        if (!hasDecoder(m)) {
            throw new InvalidInputException(what + ": model " + name + " has no " + m.word() + " decoder (it was trained"
                    + " without " + m.word() + ")");
        }
    }

    static Modality other(Modality m) {
        return m == Modality.SPEECH ? Modality.IMAGE : Modality.SPEECH;
    }

    Features audio(Audio audio, String what) {
        requireEncoder(Modality.SPEECH, what);
        float[] samples = new float[audio.getSamplesCount()];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = audio.getSamples(i);
        }
        return speechFrom(what, () -> speech.fromAudio(new AudioSignal(samples, audio.getSampleRate())));
    }

    Features wav(ByteString wav, String what) {
        requireEncoder(Modality.SPEECH, what);
        if (wav.isEmpty()) {
            throw new InvalidInputException(what + ": WAV data is empty");
        }
        return speechFrom(what, () -> speech.fromAudio(WavDecoder.decode(wav.toByteArray(), limits.maxWavBytes())));
    }

    Features frames(FrameSequence frames, String what) {
        requireEncoder(Modality.SPEECH, what);
        int dim = frames.getFrameDim();
        if (dim != speech.melBins()) {
            throw new InvalidInputException(what + ": frame_dim is " + dim + ", the model takes " + speech.melBins() + " mel bins");
        }
        if (frames.getValuesCount() % dim != 0) {
            throw new InvalidInputException(what + ": " + frames.getValuesCount() + " values is not a multiple of frame_dim " + dim);
        }
        int n = frames.getValuesCount() / dim;
        if (n > SpeechFeatures.MAX_FRAMES) {
            throw new InvalidInputException(what + ": " + n + " filterbank frames, the limit is " + SpeechFeatures.MAX_FRAMES);
        }
        float[][] rows = new float[n][dim];
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < dim; b++) {
                rows[t][b] = frames.getValues(t * dim + b);
            }
        }
        return speechFrom(what, () -> speech.fromFrames(rows));
    }

    Features image(Image image, String what) {
        requireEncoder(Modality.IMAGE, what);
        if (image.getChannels() != 1) {
            throw new InvalidInputException(what + ": image has " + image.getChannels() + " channels, the model takes 1 (grey)");
        }
        float[] pixels = new float[image.getPixelsCount()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = image.getPixels(i);
        }
        try {
            return Features.image(ImageInput.check(pixels, image.getHeight(), image.getWidth()));
        } catch (FeatureInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
    }

    private interface FrameSource {
        float[][] get();
    }

    private static Features speechFrom(String what, FrameSource source) {
        try {
            return Features.speech(source.get());
        } catch (FeatureInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
    }

    /** Runs the encoder of the inputs' modality (all inputs of one modality) on a batch. */
    Latents encode(Modality m, List<Features> inputs) {
        if (m == Modality.SPEECH) {
            float[][][] x = new float[inputs.size()][][];
            for (int i = 0; i < x.length; i++) {
                x[i] = inputs.get(i).frames();
            }
            return ort.encodeSpeech(x);
        }
        float[][] x = new float[inputs.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = inputs.get(i).pixels();
        }
        return ort.encodeImages(x);
    }

    @Override
    public void close() {
        ort.close();
    }
}
