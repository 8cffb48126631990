package io.crossmodal.runtime.bundle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

final class BundleTestSupport {

    private BundleTestSupport() {
    }

    /** A small manifest draft with one fake component whose "graphs" are plain byte files. */
    static Manifest draft() {
        GraphSpec enc = new GraphSpec("g2p.encoder.onnx", List.of(new TensorSpec("tokens", "int64", List.of("B", "T"))), List.of());
        GraphSpec dec = new GraphSpec("g2p.decoder_step.onnx", List.of(), List.of());
        return Manifest.builder("cmudict-g2p")
                .vocabulary("graphemes", List.of("<pad>", "<s>", "</s>", "<unk>", "a", "b"))
                .vocabulary("phonemes", List.of("<pad>", "<s>", "</s>", "<unk>", "AA", "B"))
                .component("g2p", new ComponentSpec(ComponentSpec.TYPE_SEQ2SEQ,
                        Map.of(ComponentSpec.ROLE_ENCODER, enc, ComponentSpec.ROLE_DECODER_STEP, dec),
                        Map.of("embed", 8), "graphemes", "phonemes"))
                .metric("per", 0.125)
                .dataFingerprint(Map.of("train", "abc123"))
                .trainingConfig(Map.of("epochs", 3))
                .build();
    }

    static Map<String, FileContent> files() {
        Map<String, FileContent> f = new LinkedHashMap<>();
        f.put("g2p.encoder.onnx", FileContent.of("encoder-bytes".getBytes(StandardCharsets.UTF_8)));
        f.put("g2p.decoder_step.onnx", FileContent.of("decoder-bytes".getBytes(StandardCharsets.UTF_8)));
        return f;
    }

    /** Everything under a directory, as relative paths. */
    static List<String> tree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
