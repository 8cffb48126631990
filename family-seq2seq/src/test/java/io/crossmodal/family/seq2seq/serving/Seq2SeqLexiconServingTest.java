package io.crossmodal.family.seq2seq.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.LexiconFileTest;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.proto.common.v1.HypothesisSource;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingFamilies;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lexicon-first serving inside the seq2seq plug-in, as the services drive it (admit, batch key, run, respond),
 * on a random-weight bundle that carries a lexicon: a known word, a heteronym, homophones, an unknown word,
 * forced modes, the bundle's default mode, and a lexicon word with a letter the model does not know.
 */
class Seq2SeqLexiconServingTest {

    static final List<String> GRAPHEMES = Seq2SeqPredictorTest.GRAPHEMES;
    static final List<String> PHONEMES = Seq2SeqPredictorTest.PHONEMES;

    /** "read" is a heteronym, "red"/"read" homophones, "été" has letters outside the model's graphemes. */
    static final PronunciationLexicon LEXICON = LexiconFileTest.lexicon("cat", "K AA T", "read", "B EH D", "read", "B OW D",
            "red", "B EH D", "été", "EH T EH");

    static Bundle bundle(Path root, Map<String, ServingSpec> serving, boolean withLexicon) {
        Manifest.Builder b = Manifest.builder("seq2seq").vocabulary("graphemes", GRAPHEMES).vocabulary("phonemes", PHONEMES);
        Map<String, FileContent> files = new LinkedHashMap<>();
        for (String c : List.of("g2p", "p2g")) {
            boolean g2p = c.equals("g2p");
            Seq2SeqWeights w = Seq2SeqWeights.random((g2p ? GRAPHEMES : PHONEMES).size(), (g2p ? PHONEMES : GRAPHEMES).size(),
                    8, 6, 10, g2p ? 7 : 8);
            byte[] enc = Seq2SeqGraphs.encoder(w);
            byte[] dec = Seq2SeqGraphs.decoderStep(w);
            b.component(c, ComponentSpecs.seq2seq(c, enc, dec, w.sizes(), g2p ? "graphemes" : "phonemes", g2p ? "phonemes" : "graphemes"));
            files.put(ComponentSpecs.encoderFile(c), FileContent.of(enc));
            files.put(ComponentSpecs.decoderStepFile(c), FileContent.of(dec));
        }
        if (withLexicon) {
            files.put(LexiconFile.NAME, FileContent.of(LexiconFile.write(LEXICON)));
        }
        serving.forEach(b::serving);
        new BundleWriter(root).write("m", b.build(), files);
        return new ModelRegistry(root).load("m", "latest");
    }

    static DecodeRequest decode(LexiconMode mode, int nBest, String... tokens) {
        return DecodeRequest.newBuilder().setTokens(TokenSequence.newBuilder().addAllTokens(List.of(tokens)))
                .setLexicon(mode).setNBest(nBest).build();
    }

    /** Admits, runs (alone) and answers one request. */
    @SuppressWarnings("unchecked")
    static ScoredSequences answer(ServedModel<?, ?> served, com.google.protobuf.Message request, RunControl control) {
        ServedModel<Object, Object> m = (ServedModel<Object, Object>) served;
        Object in = m.admit(request);
        Object out = m.run(List.of(in), control).get(0);
        if (request instanceof EncodeRequest) {
            EncodeResponse.Builder r = EncodeResponse.newBuilder();
            m.respond(in, out, r);
            return r.getHypotheses();
        }
        DecodeResponse.Builder r = DecodeResponse.newBuilder();
        m.respond(in, out, r);
        return r.getSequences();
    }

    static RunControl cancelled() {
        RunControl c = new RunControl();
        c.cancel();
        return c;
    }

    static List<List<String>> tokens(ScoredSequences s) {
        return s.getSequencesList().stream().map(q -> List.copyOf(q.getTokensList())).toList();
    }

    @Test
    void decoderAnswersKnownWordsAndHeteronymsFromTheLexiconAndUnknownOnesFromTheModel(@TempDir Path root) {
        try (ServedModel<?, ?> g2p = ServingFamilies.load(bundle(root, Map.of(), true), Seq2SeqServingFamilyTest.context("decoder"))) {
            // a cancelled run control fails any model run: these answers come from the lexicon alone
            ScoredSequences cat = answer(g2p, decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 1, "c", "a", "t"), cancelled());
            assertEquals(List.of(List.of("K", "AA", "T")), tokens(cat));
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, cat.getSequences(0).getSource());
            assertEquals(1.0, cat.getSequences(0).getProbability());
            assertEquals(0.0, cat.getSequences(0).getLogProb());

            ScoredSequences read = answer(g2p, decode(LexiconMode.LEXICON_MODE_FIRST, 1, "r", "e", "a", "d"), cancelled());
            assertEquals(List.of(List.of("B", "EH", "D"), List.of("B", "OW", "D")), tokens(read), "all pronunciations, n_best 1");
            for (var s : read.getSequencesList()) {
                assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, s.getSource());
                assertEquals(0.5, s.getProbability(), 1e-12);
                assertEquals(Math.log(0.5), s.getLogProb(), 1e-12);
            }

            ScoredSequences dot = answer(g2p, decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 2, "d", "o", "t"), RunControl.NONE);
            assertEquals(2, dot.getSequencesCount());
            for (var s : dot.getSequencesList()) {
                assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, s.getSource());
                assertEquals(Math.exp(s.getLogProb()), s.getProbability(), 1e-12);
            }
        }
    }

    @Test
    void moreHypothesesThanTheLexiconHasAreFilledByTheModelWithoutRepeats(@TempDir Path root) {
        try (ServedModel<?, ?> g2p = ServingFamilies.load(bundle(root, Map.of(), true), Seq2SeqServingFamilyTest.context("decoder"))) {
            ScoredSequences cat = answer(g2p, decode(LexiconMode.LEXICON_MODE_FIRST, 4, "c", "a", "t"), RunControl.NONE);
            assertEquals(4, cat.getSequencesCount(), cat.toString());
            assertEquals(List.of("K", "AA", "T"), cat.getSequences(0).getTokensList());
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, cat.getSequences(0).getSource());
            for (int i = 1; i < 4; i++) {
                assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, cat.getSequences(i).getSource());
                assertNotEquals(List.of("K", "AA", "T"), cat.getSequences(i).getTokensList());
                assertTrue(i == 1 || cat.getSequences(i - 1).getLogProb() >= cat.getSequences(i).getLogProb());
            }
        }
    }

    @Test
    void modesForceTheModelOrTheLexicon(@TempDir Path root) {
        try (ServedModel<?, ?> g2p = ServingFamilies.load(bundle(root, Map.of(), true), Seq2SeqServingFamilyTest.context("decoder"))) {
            ScoredSequences model = answer(g2p, decode(LexiconMode.LEXICON_MODE_MODEL, 1, "c", "a", "t"), RunControl.NONE);
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, model.getSequences(0).getSource());
            InvalidInputException miss = assertThrows(InvalidInputException.class,
                    () -> g2p.admit(decode(LexiconMode.LEXICON_MODE_LEXICON, 1, "d", "o", "t")));
            assertTrue(miss.getMessage().contains("'dot' is not in the lexicon of model m/1"), miss.getMessage());
            // a lexicon word with letters the model does not have: the lexicon answers, in FIRST and LEXICON mode
            for (LexiconMode mode : List.of(LexiconMode.LEXICON_MODE_LEXICON, LexiconMode.LEXICON_MODE_FIRST)) {
                assertEquals(List.of(List.of("EH", "T", "EH")), tokens(answer(g2p, decode(mode, 3, "é", "t", "é"), cancelled())));
            }
            // ... but not when the model is forced
            InvalidInputException unknown = assertThrows(InvalidInputException.class,
                    () -> g2p.admit(decode(LexiconMode.LEXICON_MODE_MODEL, 1, "é", "t", "é")));
            assertTrue(unknown.getMessage().contains("unknown symbol 'é' at position 0"), unknown.getMessage());
            InvalidInputException bad = assertThrows(InvalidInputException.class,
                    () -> g2p.admit(decode(LexiconMode.LEXICON_MODE_FIRST, 1, "c", "a", "t").toBuilder().setLexiconValue(9).build()));
            assertTrue(bad.getMessage().contains("unknown lexicon mode"), bad.getMessage());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void lexiconOnlyAnswersShareTheirOwnBatchKey(@TempDir Path root) {
        try (ServedModel<Object, Object> g2p = (ServedModel<Object, Object>) ServingFamilies.load(bundle(root, Map.of(), true),
                Seq2SeqServingFamilyTest.context("decoder"))) {
            Object cat = g2p.admit(decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 1, "c", "a", "t"));
            Object red = g2p.admit(decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 1, "r", "e", "d"));
            Object dot = g2p.admit(decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 1, "d", "o", "t"));
            assertEquals(g2p.batchKey(cat), g2p.batchKey(red));
            assertNotEquals(g2p.batchKey(cat), g2p.batchKey(dot));
            assertEquals(2, g2p.run(List.of(cat, red), cancelled()).size());
        }
    }

    @Test
    void encoderAnswersAPronunciationWithAllItsSpellings(@TempDir Path root) {
        try (ServedModel<?, ?> p2g = ServingFamilies.load(bundle(root, Map.of(), true), Seq2SeqServingFamilyTest.context("encoder"))) {
            ScoredSequences homophones = answer(p2g, EncodeRequest.newBuilder()
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("B", "EH", "D"))).build(), cancelled());
            assertEquals(List.of(List.of("r", "e", "a", "d"), List.of("r", "e", "d")), tokens(homophones));
            assertTrue(homophones.getSequencesList().stream().allMatch(s -> s.getProbability() == 0.5
                    && s.getSource() == HypothesisSource.HYPOTHESIS_SOURCE_LEXICON));
            ScoredSequences unknown = answer(p2g, EncodeRequest.newBuilder()
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("K", "OW"))).build(), RunControl.NONE);
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, unknown.getSequences(0).getSource());
            ScoredSequences forced = answer(p2g, EncodeRequest.newBuilder().setLexicon(LexiconMode.LEXICON_MODE_MODEL)
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("B", "EH", "D"))).build(), RunControl.NONE);
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, forced.getSequences(0).getSource());
        }
    }

    @Test
    void theBundleNamesTheDefaultMode(@TempDir Path root) {
        ServingSpec model = new ServingSpec(null, null, null, null, null, Map.of("lexicon", "model"));
        try (ServedModel<?, ?> g2p = ServingFamilies.load(bundle(root, Map.of("decoder", model), true),
                Seq2SeqServingFamilyTest.context("decoder"))) {
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL,
                    answer(g2p, decode(LexiconMode.LEXICON_MODE_UNSPECIFIED, 1, "c", "a", "t"), RunControl.NONE).getSequences(0).getSource());
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON,
                    answer(g2p, decode(LexiconMode.LEXICON_MODE_FIRST, 1, "c", "a", "t"), cancelled()).getSequences(0).getSource());
        }
    }

    @Test
    void withoutALexiconTheModelAnswersAndLexiconOnlyIsRefused(@TempDir Path root) {
        try (ServedModel<?, ?> g2p = ServingFamilies.load(bundle(root, Map.of(), false), Seq2SeqServingFamilyTest.context("decoder"))) {
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL,
                    answer(g2p, decode(LexiconMode.LEXICON_MODE_FIRST, 1, "c", "a", "t"), RunControl.NONE).getSequences(0).getSource());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> g2p.admit(decode(LexiconMode.LEXICON_MODE_LEXICON, 1, "c", "a", "t")));
            assertTrue(e.getMessage().contains("has no lexicon"), e.getMessage());
        }
    }

    @Test
    void aBadDefaultModeFailsTheLoad(@TempDir Path root) {
        ServingSpec bad = new ServingSpec(null, null, null, null, null, Map.of("lexicon", "always"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingFamilies.load(
                bundle(root, Map.of("decoder", bad), true), Seq2SeqServingFamilyTest.context("decoder")));
        assertTrue(e.getMessage().contains("\"first\", \"model\" or \"lexicon\""), e.getMessage());
    }
}
