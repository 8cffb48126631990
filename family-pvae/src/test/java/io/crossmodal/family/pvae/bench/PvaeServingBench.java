package io.crossmodal.family.pvae.bench;

import com.google.protobuf.ByteString;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.family.pvae.serving.PvaeBundleLayout;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.decoder.v1.CrossModal;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.util.List;
import java.util.Locale;

/**
 * PVAE serving benchmark (run by {@code FAMILY=pvae benchmarks/serving/run.sh}): cross-modal generation
 * (a spoken digit's WAV -> filterbank -> speech encoder; a style image -> image encoder; image decoder)
 * in process with ONNX Runtime directly ({@link OrtPvae} over the bundle's graphs) vs decoder-service's
 * {@code Decode} with {@code cross_modal} over gRPC; the measurement is {@link SpeechDecodeBench}'s. Checks that
 * the service's image equals the in-process one for the first recording. A main class, not a test.
 */
public final class PvaeServingBench extends SpeechDecodeBench {

    private final float[] stylePixels = styleImage();
    private OrtPvae ort;
    private SpeechFeatures speech;

    private PvaeServingBench(String[] args) {
        super(args);
    }

    public static void main(String[] args) throws Exception {
        new PvaeServingBench(args).runAndExit();
    }

    @Override
    protected String title() {
        return "PVAE serving benchmark: in-process ONNX Runtime vs decoder-service over gRPC";
    }

    @Override
    protected String command() {
        return "FAMILY=pvae benchmarks/serving/run.sh";
    }

    @Override
    protected String defaultModel() {
        return "digits";
    }

    @Override
    protected void open(Bundle bundle) {
        ComponentSpec c = bundle.component(PvaeBundleLayout.COMPONENT);
        int frames = c.sizes().get("frames");
        int melBins = c.sizes().get("melBins");
        speech = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, frames);
        ort = new OrtPvae(SessionFactory.cpu(), new OrtPvae.Graphs(graph(bundle, c, PvaeBundleLayout.SPEECH_ENCODER),
                graph(bundle, c, PvaeBundleLayout.IMAGE_ENCODER), null, graph(bundle, c, PvaeBundleLayout.IMAGE_DECODER)),
                frames, melBins);
    }

    @Override
    protected void close() {
        if (ort != null) {
            ort.close();
        }
    }

    /** What the service does per request, for {@code b} recordings at once: features, both encoders, the image decoder. */
    @Override
    protected float[] inProcess(int from, int b) {
        List<byte[]> wavs = wavs();
        float[][][] x = new float[b][][];
        float[][] style = new float[b][];
        for (int k = 0; k < b; k++) {
            x[k] = speech.fromAudio(WavDecoder.decode(wavs.get((from + k) % wavs.size()), 1 << 20));
            style[k] = stylePixels;
        }
        Latents content = ort.encodeSpeech(x);
        Latents st = ort.encodeImages(style);
        return ort.decodeImages(content.sharedMean(), st.hasStyle() ? st.styleMean() : null)[0];
    }

    @Override
    protected DecodeRequest request(String model, int i) {
        List<byte[]> wavs = wavs();
        Image.Builder img = Image.newBuilder().setHeight(28).setWidth(28).setChannels(1);
        for (float p : stylePixels) {
            img.addPixels(p);
        }
        return DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName(model)).setCrossModal(CrossModal.newBuilder()
                .setContentWav(ByteString.copyFrom(wavs.get(i % wavs.size()))).setStyleImage(img)).build();
    }

    @Override
    protected String check(DecodeResponse service, Object inProcess) {
        float[] local = (float[]) inProcess;
        double maxDiff = 0;
        for (int i = 0; i < local.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(local[i] - service.getImage().getPixels(i)));
        }
        if (maxDiff > 1e-4) {
            throw new IllegalStateException("service and in-process images differ by " + maxDiff);
        }
        return String.format(Locale.ROOT, "service image = in-process image for recording 0 (max |diff| %.1e)", maxDiff);
    }

    @Override
    protected List<String> describe(Bundle bundle) {
        return List.of("style: one fixed 28x28 image",
                "work per recording: WAV decode + log-mel filterbank + speech encoder, image encoder (style), image decoder;"
                        + " service: one `Decode` (`cross_modal`: content_wav, style_image) per recording");
    }

    /** A fixed 28x28 style reference (the cost of serving does not depend on its pixels). */
    private static float[] styleImage() {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            int row = i / 28;
            int col = i % 28;
            px[i] = col >= 12 && col < 16 && row >= 4 && row < 24 ? 1f : 0f;
        }
        return px;
    }
}
