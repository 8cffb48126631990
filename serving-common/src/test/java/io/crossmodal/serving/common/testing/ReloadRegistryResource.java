package io.crossmodal.serving.common.testing;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TinyRegistryResource}'s registry plus model {@value #MODEL} for the hot-reload tests, polled
 * every {@value #RELOAD_INTERVAL_MS} ms:
 * <ul>
 *   <li>versions 1 and 2: valid, different random weights (different answers), production -> 1;</li>
 *   <li>version 3: corrupt (its graphs were modified after writing: checksum mismatch);</li>
 *   <li>version 4: incompatible with the decoder: a valid bundle with only the p2g component (the
 *       decoder runs g2p);</li>
 *   <li>versions 5 and 6: every checksum valid, but the decoder-step graphs are not ONNX (5) or have another
 *       hidden size than the encoder's (6): {@link TinyRegistryResource.GraphFault}.</li>
 * </ul>
 * Tests move the alias with {@link ModelRegistry#setAlias}; {@link #root()} is the registry.
 */
public class ReloadRegistryResource extends TinyRegistryResource {

    public static final String MODEL = "hot";
    public static final int RELOAD_INTERVAL_MS = 300;

    private static volatile Path root;

    /** The registry of the running test. */
    public static Path root() {
        return root;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        root = Path.of(config.get("crossmodal.registry.dir"));
        writeBundle(root, MODEL, List.of("g2p", "p2g"), 101);
        writeBundle(root, MODEL, List.of("g2p", "p2g"), 202);
        Bundle corrupt = writeBundle(root, MODEL, List.of("g2p", "p2g"), 303);
        try {
            for (String component : List.of("g2p", "p2g")) {
                Path graph = corrupt.directory().resolve(ComponentSpecs.decoderStepFile(component));
                byte[] bytes = Files.readAllBytes(graph);
                bytes[bytes.length / 2] ^= 0x5a;
                Files.write(graph, bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeBundle(root, MODEL, List.of("p2g"), 404);
        writeBundle(root, MODEL, List.of("g2p", "p2g"), 505, GraphFault.NOT_ONNX);
        writeBundle(root, MODEL, List.of("g2p", "p2g"), 606, GraphFault.MISSHAPED);
        new ModelRegistry(root).setAlias(MODEL, "production", 1);
        config.put("crossmodal.models", "tiny," + MODEL);
        config.put("crossmodal.serving.reload-interval", RELOAD_INTERVAL_MS + "ms");
        return config;
    }
}
