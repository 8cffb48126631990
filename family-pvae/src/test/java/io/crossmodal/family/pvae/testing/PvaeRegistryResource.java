package io.crossmodal.family.pvae.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Quarkus test resource both services' PVAE tests start with: a temp registry with tiny PVAE bundles: {@code digits} (speech and images, seed {@value #SEED}) and
 * {@code images} (image parts only); the service's audio limit is set to {@value #MAX_AUDIO_SECONDS} s.
 */
public class PvaeRegistryResource implements QuarkusTestResourceLifecycleManager {

    public static final long SEED = 11;
    public static final double MAX_AUDIO_SECONDS = 2.0;
    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("crossmodal-pvae-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TinyPvae.write(root, "digits", TinyPvae.weights(SEED, true, true), Map.of());
        TinyPvae.write(root, "images", TinyPvae.weights(SEED + 1, false, true), Map.of());
        return Map.of("crossmodal.registry.dir", root.toString(), "crossmodal.models", "digits",
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
