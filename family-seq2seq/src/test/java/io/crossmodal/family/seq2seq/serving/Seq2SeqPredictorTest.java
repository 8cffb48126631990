package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.runtime.family.InvalidInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqReference;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random weights -> graphs -> bundle -> registry -> predictor, on ONNX Runtime CPU. */
class Seq2SeqPredictorTest {

    static final List<String> GRAPHEMES = vocab("a", "b", "c", "d", "e", "k", "o", "t");
    static final List<String> PHONEMES = vocab("AA", "B", "D", "EH", "K", "OW", "T", "Z", "S", "N");
    static final int MAX_LEN = 12;

    @TempDir
    static Path root;
    static Seq2SeqWeights weights;
    static Bundle bundle;
    static Seq2SeqPredictor predictor;

    static List<String> vocab(String... symbols) {
        List<String> v = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        v.addAll(List.of(symbols));
        return v;
    }

    @BeforeAll
    static void exportAndLoad() {
        weights = Seq2SeqWeights.random(GRAPHEMES.size(), PHONEMES.size(), 8, 6, 10, 2024);
        byte[] enc = Seq2SeqGraphs.encoder(weights);
        byte[] dec = Seq2SeqGraphs.decoderStep(weights);
        Manifest draft = Manifest.builder("cmudict")
                .vocabulary("graphemes", GRAPHEMES)
                .vocabulary("phonemes", PHONEMES)
                .component("g2p", ComponentSpecs.seq2seq("g2p", enc, dec, weights.sizes(), "graphemes", "phonemes"))
                .metric("per", 0.5)
                .build();
        Map<String, FileContent> files = new LinkedHashMap<>();
        files.put(ComponentSpecs.encoderFile("g2p"), FileContent.of(enc));
        files.put(ComponentSpecs.decoderStepFile("g2p"), FileContent.of(dec));
        new BundleWriter(root).write("cmudict", draft, files);
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("cmudict", "production", 1);
        bundle = registry.load("cmudict", "production");
        predictor = Seq2SeqPredictor.create(bundle, "g2p", SessionFactory.cpu());
    }

    @AfterAll
    static void close() {
        predictor.close();
    }

    static List<List<String>> inputs() {
        return List.of(List.of("k", "a", "t"), List.of("d", "o"), List.of("b", "e", "d", "e", "k", "o", "t"), List.of("a"));
    }

    @Test
    void manifestDescribesTheGraphs() {
        ComponentSpec spec = bundle.component("g2p");
        assertEquals(List.of("tokens", "lengths"),
                spec.graph("encoder").inputs().stream().map(t -> t.name()).toList());
        assertEquals(List.of("memory", "keys", "init_h", "init_c"),
                spec.graph("encoder").outputs().stream().map(t -> t.name()).toList());
        assertEquals(List.of("N", "T", "12"), spec.graph("decoder_step").inputs().get(3).shape());
        assertEquals(List.of("logits", "log_probs", "h_out", "c_out", "attention"),
                spec.graph("decoder_step").outputs().stream().map(t -> t.name()).toList());
        assertEquals("int64", spec.graph("encoder").inputs().get(0).dtype());
        assertEquals(10, spec.sizes().get("dec_hidden"));
    }

    @Test
    void beamReturnsSortedNBestLists() {
        List<List<ScoredSequence>> out = predictor.transduce(inputs(), SearchOptions.beam(4, 3).withMaxLength(MAX_LEN));
        assertEquals(4, out.size());
        for (List<ScoredSequence> nbest : out) {
            assertEquals(3, nbest.size());
            for (int i = 0; i < nbest.size(); i++) {
                ScoredSequence s = nbest.get(i);
                assertTrue(s.logProb() < 0);
                assertTrue(s.symbols().size() <= MAX_LEN);
                assertTrue(s.symbols().stream().allMatch(p -> PHONEMES.indexOf(p) >= 4), s.symbols().toString());
                if (i > 0) {
                    assertTrue(nbest.get(i - 1).logProb() >= s.logProb());
                }
            }
            assertEquals(3, nbest.stream().map(ScoredSequence::symbols).distinct().count());
        }
        // the beam's best is at least as good as greedy's single answer
        List<List<ScoredSequence>> greedy = predictor.transduce(inputs(), SearchOptions.greedy().withMaxLength(MAX_LEN));
        for (int i = 0; i < out.size(); i++) {
            assertEquals(1, greedy.get(i).size());
            assertTrue(out.get(i).get(0).logProb() >= greedy.get(i).get(0).logProb() - 1e-5);
        }
    }

    @Test
    void batchedResultsEqualOneAtATime() {
        SearchOptions opts = SearchOptions.beam(3, 2).withMaxLength(MAX_LEN);
        List<List<ScoredSequence>> batched = predictor.transduce(inputs(), opts);
        for (int i = 0; i < inputs().size(); i++) {
            List<ScoredSequence> alone = predictor.transduce(List.of(inputs().get(i)), opts).get(0);
            for (int k = 0; k < alone.size(); k++) {
                assertEquals(alone.get(k).symbols(), batched.get(i).get(k).symbols());
                assertEquals(alone.get(k).logProb(), batched.get(i).get(k).logProb(), 1e-4);
            }
        }
    }

    @Test
    void aBatchOfValidatedInputsWithTheirOwnOptionsEqualsOneAtATime() {
        List<SearchOptions> beam = List.of(SearchOptions.beam(3, 1).withMaxLength(4), SearchOptions.beam(3, 3).withMaxLength(MAX_LEN),
                SearchOptions.beam(3, 2).withMaxLength(2), SearchOptions.beam(3, 3).withMaxLength(7));
        List<SearchOptions> sampling = List.of(SearchOptions.sampling(4, 0.9, 1).withMaxLength(5),
                SearchOptions.sampling(4, 0.9, 2).withMaxLength(MAX_LEN), SearchOptions.sampling(4, 0.9, 1).withMaxLength(MAX_LEN),
                SearchOptions.sampling(4, 0.9, 3).withMaxLength(3));
        long[][] sources = inputs().stream().map(predictor::sourceIds).toArray(long[][]::new);
        for (List<SearchOptions> options : List.of(beam, sampling)) {
            List<List<ScoredSequence>> batched = predictor.transduce(sources, options, io.crossmodal.runtime.control.RunControl.NONE);
            for (int i = 0; i < sources.length; i++) {
                List<ScoredSequence> alone = predictor.transduce(List.of(inputs().get(i)), options.get(i)).get(0);
                assertEquals(alone.size(), batched.get(i).size());
                for (int k = 0; k < alone.size(); k++) {
                    assertEquals(alone.get(k).symbols(), batched.get(i).get(k).symbols(), options.get(i) + " input " + i);
                    assertEquals(alone.get(k).logProb(), batched.get(i).get(k).logProb(), 1e-4);
                }
            }
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> predictor.transduce(sources,
                List.of(SearchOptions.greedy(), SearchOptions.beam(2, 1), SearchOptions.greedy(), SearchOptions.greedy()),
                io.crossmodal.runtime.control.RunControl.NONE));
        assertTrue(e.getMessage().contains("cannot share a batch"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> predictor.sourceIds(List.of("k", "q")));
        assertEquals(1, e.position());
        predictor.warmUp();
    }

    @Test
    void samplingIsReproducible() {
        SearchOptions opts = SearchOptions.sampling(5, 0.8, 17).withMaxLength(MAX_LEN);
        List<List<ScoredSequence>> a = predictor.transduce(inputs(), opts);
        List<List<ScoredSequence>> b = predictor.transduce(inputs(), opts);
        assertEquals(a, b);
        assertEquals(5, a.get(0).size());
    }

    @Test
    void beamOverOnnxRuntimeEqualsBeamOverJavaReference() {
        long[][] src = inputs().stream()
                .map(in -> in.stream().mapToLong(GRAPHEMES::indexOf).toArray())
                .toArray(long[][]::new);
        BeamSearch beam = new BeamSearch(5, 5, MAX_LEN);
        List<List<Hypothesis>> ref = beam.search(new Seq2SeqReference(weights), src);
        try (OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(),
                bundle.graphFile("g2p", "encoder"), bundle.graphFile("g2p", "decoder_step"))) {
            List<List<Hypothesis>> onnx = beam.search(ort, src);
            for (int i = 0; i < src.length; i++) {
                assertEquals(ref.get(i).size(), onnx.get(i).size());
                for (int k = 0; k < ref.get(i).size(); k++) {
                    assertEquals(java.util.Arrays.toString(ref.get(i).get(k).tokens()),
                            java.util.Arrays.toString(onnx.get(i).get(k).tokens()));
                    assertEquals(ref.get(i).get(k).logProb(), onnx.get(i).get(k).logProb(), 1e-4);
                }
            }
        }
    }

    @Test
    void rejectsUnknownReservedEmptyAndOverlongInputs() {
        SearchOptions opts = SearchOptions.greedy();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> predictor.transduce(List.of(List.of("a"), List.of("k", "x", "t")), opts));
        assertEquals(1, e.inputIndex());
        assertEquals(1, e.position());
        assertEquals("x", e.symbol());
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("position 1"), e.getMessage());

        e = assertThrows(InvalidInputException.class, () -> predictor.transduce(List.of(List.of("a", "<unk>")), opts));
        assertEquals("<unk>", e.symbol());
        assertEquals(1, e.position());

        e = assertThrows(InvalidInputException.class, () -> predictor.transduce(List.of(List.of()), opts));
        assertTrue(e.getMessage().contains("empty"));

        List<String> longInput = Stream.generate(() -> "a").limit(Seq2SeqPredictor.DEFAULT_MAX_INPUT_LENGTH + 1).toList();
        e = assertThrows(InvalidInputException.class, () -> predictor.transduce(List.of(longInput), opts));
        assertTrue(e.getMessage().contains("limit"));

        assertThrows(InvalidInputException.class, () -> predictor.transduce(List.of(List.of("a")), SearchOptions.beam(2, 3)));
        assertFalse(predictor.transduce(List.of(), opts).size() > 0);
    }
}
