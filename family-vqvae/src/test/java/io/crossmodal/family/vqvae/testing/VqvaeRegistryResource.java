package io.crossmodal.family.vqvae.testing;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Quarkus test resource both services' VQ-VAE tests start with: a temp registry with tiny VQ-VAE bundles
 * {@value #UNITS} (VQ bottleneck, GRU decoder, a codebook spread over a test tone's latents so several codes
 * occur) and {@value #PLAIN} (plain autoencoder, no codebook); the service's audio limit is set to
 * {@value #MAX_AUDIO_SECONDS} s.
 */
public class VqvaeRegistryResource implements QuarkusTestResourceLifecycleManager {

    public static final String UNITS = "units";
    public static final String PLAIN = "plain";
    public static final long SEED = 21;
    public static final double MAX_AUDIO_SECONDS = 2.0;
    private Path root;

    /** The weights of {@value #UNITS}: what the services must answer with. */
    public static VqvaeWeights unitsWeights() {
        VqvaeWeights noCodes = TinyVqvae.weights(SEED, "ae", "gru");
        float[][] latents;
        try (OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(noCodes), TinyVqvae.MEL, TinyVqvae.DIM,
                noCodes.stateSize(), TinyVqvae.DOWN)) {
            latents = ort.encode(new float[][][] {VqvaeServiceContract.FEATURES.fromAudio(
                    new AudioSignal(TinyVqvae.tone(8000, 0.7, 150), 8000))}).latents()[0];
        }
        return TinyVqvae.withCodebook(noCodes, new float[][] {latents[0], latents[3]});
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("crossmodal-vqvae-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TinyVqvae.write(root, UNITS, unitsWeights());
        TinyVqvae.write(root, PLAIN, TinyVqvae.weights(SEED + 1, "ae", "gru"));
        return Map.of("crossmodal.registry.dir", root.toString(), "crossmodal.models", UNITS,
                "crossmodal.serving.limits.\"maxAudioSeconds\"", Double.toString(MAX_AUDIO_SECONDS));
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
