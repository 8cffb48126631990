package io.crossmodal.serving.common.testing;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.family.seq2seq.onnx.EnsembleGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a temporary model registry before the application starts and points the service at it:
 * <ul>
 *   <li>{@code tiny}: versions 1 and 2 with random-weight g2p and p2g components, alias production -> 1</li>
 *   <li>{@code g2ponly} and {@code p2gonly}: valid bundles with only one of the components</li>
 *   <li>{@code broken}: a bundle whose encoder graph was modified after writing (checksum mismatch)</li>
 *   <li>{@code badgraph}, {@code misshaped}, {@code swapped}: bundles whose checksums are all valid but whose
 *   decoder-step graphs are not ONNX, have another hidden size than the encoder's, or are the encoder graph
 *   ({@link GraphFault}): only loading the graphs shows it</li>
 *   <li>{@code ensemble}: a g2p component composed of the {@link #ensembleMembers()} ({@code EnsembleGraphs})</li>
 * </ul>
 * Shared by the encoder and decoder service tests through this module's test-jar.
 */
public class TinyRegistryResource implements QuarkusTestResourceLifecycleManager {

    public static final List<String> GRAPHEMES = vocab("a", "c", "e", "k", "s", "t");
    public static final List<String> PHONEMES = vocab("AE", "EH", "K", "S", "T");

    private Path root;

    public static List<String> vocab(String... symbols) {
        List<String> v = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        v.addAll(List.of(symbols));
        return v;
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("crossmodal-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeBundle(root, "tiny", List.of("g2p", "p2g"), 11);
        writeBundle(root, "tiny", List.of("g2p", "p2g"), 12);
        new ModelRegistry(root).setAlias("tiny", "production", 1);
        writeBundle(root, "g2ponly", List.of("g2p"), 13);
        writeBundle(root, "p2gonly", List.of("p2g"), 13);
        Bundle broken = writeBundle(root, "broken", List.of("g2p", "p2g"), 14);
        try {
            Files.write(broken.directory().resolve(ComponentSpecs.encoderFile("p2g")), new byte[] {1, 2, 3});
            Files.write(broken.directory().resolve(ComponentSpecs.encoderFile("g2p")), new byte[] {1, 2, 3});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (GraphFault fault : GraphFault.values()) {
            writeBundle(root, fault.model, List.of("g2p", "p2g"), 15, fault);
        }
        writeEnsembleBundle(root, "ensemble");
        return Map.of("crossmodal.registry.dir", root.toString(), "crossmodal.models", "tiny");
    }

    /**
     * A fault in a bundle's decoder-step graphs that its checksums cannot show (the bundle is written with the
     * faulty bytes, so every checksum is valid): the manifest describes the real graphs.
     */
    public enum GraphFault {
        /** Not an ONNX model at all. */
        NOT_ONNX("badgraph"),
        /** A valid graph with the right input names but another decoder hidden size than the encoder's bridge. */
        MISSHAPED("misshaped"),
        /** The component's encoder graph in the decoder step's place (other inputs, other outputs). */
        SWAPPED("swapped");

        public final String model;

        GraphFault(String model) {
            this.model = model;
        }
    }

    /** A bundle with random-weight seq2seq components (g2p: graphemes -> phonemes, p2g: the reverse). */
    public static Bundle writeBundle(Path root, String model, List<String> components, long seed) {
        return writeBundle(root, model, components, seed, null);
    }

    /** As {@link #writeBundle(Path, String, List, long)}, with {@code fault} (or none) in the decoder-step graphs. */
    public static Bundle writeBundle(Path root, String model, List<String> components, long seed, GraphFault fault) {
        Manifest.Builder draft = Manifest.builder("seq2seq")
                .vocabulary("graphemes", GRAPHEMES)
                .vocabulary("phonemes", PHONEMES)
                .createdAt(Instant.parse("2025-01-02T03:04:05Z"))
                .metric("g2p", Map.of("test", Map.of("per", 0.25)))
                .metric("p2g.test.wer", 0.5);
        Map<String, FileContent> files = new LinkedHashMap<>();
        for (String component : components) {
            boolean g2p = component.equals("g2p");
            List<String> src = g2p ? GRAPHEMES : PHONEMES;
            List<String> tgt = g2p ? PHONEMES : GRAPHEMES;
            Seq2SeqWeights w = Seq2SeqWeights.random(src.size(), tgt.size(), 8, 6, 10, seed + component.hashCode());
            byte[] enc = Seq2SeqGraphs.encoder(w);
            byte[] dec = Seq2SeqGraphs.decoderStep(w);
            draft.component(component, ComponentSpecs.seq2seq(component, enc, dec, w.sizes(),
                    g2p ? "graphemes" : "phonemes", g2p ? "phonemes" : "graphemes"));
            files.put(ComponentSpecs.encoderFile(component), FileContent.of(enc));
            byte[] written = fault == null ? dec : switch (fault) {
                case NOT_ONNX -> "not an ONNX model, checksummed all the same".getBytes(StandardCharsets.UTF_8);
                case MISSHAPED -> Seq2SeqGraphs.decoderStep(Seq2SeqWeights.random(src.size(), tgt.size(), 8, 6, 14,
                        seed + component.hashCode()));
                case SWAPPED -> enc;
            };
            files.put(ComponentSpecs.decoderStepFile(component), FileContent.of(written));
        }
        return new BundleWriter(root).write(model, draft.build(), files);
    }

    /** The random-weight g2p members of the {@code ensemble} bundle: different sizes, one with location attention. */
    public static List<Seq2SeqWeights> ensembleMembers() {
        return List.of(
                Seq2SeqWeights.random(GRAPHEMES.size(), PHONEMES.size(), 8, 6, 10, 21),
                Seq2SeqWeights.random(GRAPHEMES.size(), PHONEMES.size(), 6, 5, 7, 22)
                        .withLocation(new io.crossmodal.family.seq2seq.onnx.LocationAttention(1f, 0.5f)));
    }

    /** A bundle whose g2p component is the {@link #ensembleMembers()} composed into one graph pair. */
    public static Bundle writeEnsembleBundle(Path root, String model) {
        List<Seq2SeqWeights> members = ensembleMembers();
        byte[] enc = EnsembleGraphs.encoder(members.stream().map(Seq2SeqGraphs::encoder).toList());
        byte[] dec = EnsembleGraphs.decoderStep(members.stream().map(Seq2SeqGraphs::decoderStep).toList());
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("src_vocab", GRAPHEMES.size());
        sizes.put("tgt_vocab", PHONEMES.size());
        sizes.put("ensemble_members", members.size());
        Manifest.Builder draft = Manifest.builder("seq2seq")
                .vocabulary("graphemes", GRAPHEMES)
                .vocabulary("phonemes", PHONEMES)
                .createdAt(Instant.parse("2025-01-02T03:04:05Z"))
                .component("g2p", ComponentSpecs.seq2seq("g2p", enc, dec, sizes, "graphemes", "phonemes"));
        Map<String, FileContent> files = new LinkedHashMap<>();
        files.put(ComponentSpecs.encoderFile("g2p"), FileContent.of(enc));
        files.put(ComponentSpecs.decoderStepFile("g2p"), FileContent.of(dec));
        return new BundleWriter(root).write(model, draft.build(), files);
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
