package io.crossmodal.family.vqvae.bench;

import com.google.protobuf.ByteString;
import io.crossmodal.family.pvae.bench.SpeechDecodeBench;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.family.vqvae.serving.VqvaeBundleLayout;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.SpeakerRef;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.VoiceConversion;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * VQ-VAE serving benchmark (run by {@code FAMILY=vqvae benchmarks/serving/run.sh}): voice conversion
 * (a spoken digit's WAV -> filterbank -> encoder + quantiser -> units; the decoder step graph run frame by
 * frame in the first training speaker's voice) in process with ONNX Runtime directly ({@link OrtVqvae} over
 * the bundle's graphs) vs decoder-service's {@code Decode} with {@code voice_conversion} over gRPC (frames out,
 * no WAV); the measurement is the PVAE's {@link SpeechDecodeBench}. Checks that the service's frames equal the
 * in-process ones for the first recording. A main class, not a test.
 */
public final class VqvaeServingBench extends SpeechDecodeBench {

    private String voice;
    private int melBins;
    private OrtVqvae ort;
    private SpeechFeatures speech;

    private VqvaeServingBench(String[] args) {
        super(args);
    }

    public static void main(String[] args) throws Exception {
        new VqvaeServingBench(args).runAndExit();
    }

    @Override
    protected String title() {
        return "VQ-VAE serving benchmark: in-process ONNX Runtime vs decoder-service over gRPC";
    }

    @Override
    protected String command() {
        return "FAMILY=vqvae benchmarks/serving/run.sh";
    }

    @Override
    protected String defaultModel() {
        return "units";
    }

    @Override
    protected void open(Bundle bundle) {
        ComponentSpec c = bundle.component(VqvaeBundleLayout.COMPONENT);
        Map<String, Integer> sz = c.sizes();
        melBins = sz.get("melBins");
        voice = new String(bundle.readFile(VqvaeBundleLayout.SPEAKERS_FILE), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        FbankConfig d = FbankConfig.DEFAULT;
        speech = new SpeechFeatures(new FbankConfig(melBins, d.windowMs(), d.hopMs(), d.fMinHz(), d.fMaxHz(), d.trimDb()),
                AudioLimits.DEFAULT, sz.get("frames"));
        ort = new OrtVqvae(SessionFactory.cpu(), new VqvaeGraphs.Graphs(graph(bundle, c, VqvaeBundleLayout.ENCODER),
                graph(bundle, c, VqvaeBundleLayout.UNITS), graph(bundle, c, VqvaeBundleLayout.DECODER_STEP),
                graph(bundle, c, VqvaeBundleLayout.SPEAKER)), melBins, sz.get("latentDim"), sz.get("stateSize"), sz.get("downsample"));
    }

    @Override
    protected void close() {
        if (ort != null) {
            ort.close();
        }
    }

    /** What the service does per request, for {@code b} recordings at once: features, encoder + quantiser, generation (speaker 0). */
    @Override
    protected float[][] inProcess(int from, int b) {
        List<byte[]> wavs = wavs();
        float[][][] x = new float[b][][];
        long[] speakers = new long[b];
        for (int k = 0; k < b; k++) {
            x[k] = speech.fromAudio(WavDecoder.decode(wavs.get((from + k) % wavs.size()), 1 << 20));
        }
        OrtVqvae.Encoded e = ort.encode(x);
        return ort.generate(ort.quantised() ? e.units() : e.latents(), speakers)[0];
    }

    @Override
    protected DecodeRequest request(String model, int i) {
        List<byte[]> wavs = wavs();
        return DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName(model)).setVoiceConversion(VoiceConversion
                .newBuilder().setContentWav(ByteString.copyFrom(wavs.get(i % wavs.size())))
                .setVoice(SpeakerRef.newBuilder().setName(voice))).build();
    }

    @Override
    protected String check(DecodeResponse service, Object inProcess) {
        float[][] local = (float[][]) inProcess;
        double maxDiff = 0;
        for (int t = 0; t < local.length; t++) {
            for (int m = 0; m < melBins; m++) {
                maxDiff = Math.max(maxDiff, Math.abs(local[t][m] - service.getFrames().getValues(t * melBins + m)));
            }
        }
        if (maxDiff > 1e-3 || service.getFrames().getValuesCount() != local.length * melBins) {
            throw new IllegalStateException("service and in-process frames differ by " + maxDiff);
        }
        return String.format(Locale.ROOT, "service frames = in-process frames for recording 0 (max |diff| %.1e, voice %s)", maxDiff,
                voice);
    }

    @Override
    protected List<String> describe(Bundle bundle) {
        return List.of("work per recording: WAV decode + log-mel filterbank + encoder and quantiser, then the decoder step graph"
                + " once per output frame in the voice of " + voice + "; service: one `Decode` (`voice_conversion`: content_wav,"
                + " voice by name; frames out, no WAV) per recording");
    }
}
