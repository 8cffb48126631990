package io.crossmodal.serving.common.testing;

import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A registry with model {@code lex}: random-weight g2p and p2g over the tiny vocabularies and a pronunciation lexicon,
 * merged as registration merges it: training entries ("cat" and its homophone "kat", the heteronym "cast", "sec")
 * with a user's override
 * ("sec" corrected, "ace" added).
 */
public class LexiconRegistryResource implements QuarkusTestResourceLifecycleManager {

    public static final PronunciationLexicon TRAINING = new PronunciationLexicon(Map.of(
            "cat", List.of(List.of("K", "AE", "T")),
            "kat", List.of(List.of("K", "AE", "T")),
            "cast", List.of(List.of("K", "AE", "S", "T"), List.of("K", "EH", "S", "T")),
            "sec", List.of(List.of("S", "EH", "K"))));
    public static final PronunciationLexicon OVERRIDE = new PronunciationLexicon(Map.of(
            "sec", List.of(List.of("S", "EH", "K", "S")),
            "ace", List.of(List.of("EH", "S"))));

    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("crossmodal-lexicon-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Manifest.Builder draft = Manifest.builder("seq2seq")
                .vocabulary("graphemes", TinyRegistryResource.GRAPHEMES)
                .vocabulary("phonemes", TinyRegistryResource.PHONEMES);
        Map<String, FileContent> files = new LinkedHashMap<>();
        for (String component : List.of("g2p", "p2g")) {
            boolean g2p = component.equals("g2p");
            List<String> src = g2p ? TinyRegistryResource.GRAPHEMES : TinyRegistryResource.PHONEMES;
            List<String> tgt = g2p ? TinyRegistryResource.PHONEMES : TinyRegistryResource.GRAPHEMES;
            Seq2SeqWeights w = Seq2SeqWeights.random(src.size(), tgt.size(), 8, 6, 10, 21 + component.hashCode());
            byte[] enc = Seq2SeqGraphs.encoder(w);
            byte[] dec = Seq2SeqGraphs.decoderStep(w);
            draft.component(component, ComponentSpecs.seq2seq(component, enc, dec, w.sizes(),
                    g2p ? "graphemes" : "phonemes", g2p ? "phonemes" : "graphemes"));
            files.put(ComponentSpecs.encoderFile(component), FileContent.of(enc));
            files.put(ComponentSpecs.decoderStepFile(component), FileContent.of(dec));
        }
        files.put(LexiconFile.NAME, FileContent.of(LexiconFile.write(TRAINING.withOverride(OVERRIDE))));
        new BundleWriter(root).write("lex", draft.build(), files);
        return Map.of("crossmodal.registry.dir", root.toString(), "crossmodal.models", "lex");
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
