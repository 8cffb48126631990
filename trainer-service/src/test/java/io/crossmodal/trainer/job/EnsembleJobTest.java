package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train.ensemble} end to end on a tiny lexicon: two members are trained and registered, the ensemble job composes
 * them into one bundle, and that bundle, opened like any model, gives the members' ensemble's answers and test figures.
 */
class EnsembleJobTest {

    private static String config(String name, Path lex, Path dir, long seed, int splitSeed, String train) {
        return """
                {"name": "%s", "data": {"source": "%s"},
                 "split": {"paired": 120, "dev": 30, "test": 30, "seed": %d},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "maxOutputLength": 12%s},
                 "train": {"batchSize": 16, "learningRate": 0.01, "epochs": 3, "devWords": 30, "beamWidth": 3%s},
                 "components": ["g2p"], "seed": %d, "runDir": "%s", "registryDir": "%s"}
                """.formatted(name, lex, splitSeed, seed == 4 ? ", \"attention\": \"location\"" : "", train, seed,
                dir.resolve("run-" + name), dir.resolve("registry"));
    }

    private static String ensemble(String... members) {
        return ", \"ensemble\": {\"members\": [\"" + String.join("\", \"", members) + "\"], \"checkWords\": 30}";
    }

    @Test
    void theComposedBundleServesTheMembersEnsemble(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 200);
        TrainingRun.run(JobConfig.parse(config("a", lex, dir, 3, 1, "")), e -> { }, () -> false);
        TrainingRun.run(JobConfig.parse(config("b", lex, dir, 4, 1, "")), e -> { }, () -> false);
        JobConfig cfg = JobConfig.parse(config("ab", lex, dir, 5, 1, ensemble("a/1", "b/latest")));
        TrainingRun.Outcome out = TrainingRun.run(cfg, e -> { }, () -> false);

        Bundle bundle = out.bundle();
        assertEquals("ab", bundle.model());
        assertEquals(2, bundle.component("g2p").sizes().get("ensemble_members"));
        assertEquals(30, ((Number) out.metrics().get("g2p.ensemble.check.words")).intValue());
        assertEquals("a/1,b/1", bundle.manifest().metrics().get("ensemble.members"), "the versions composed, aliases resolved");
        assertTrue(Files.isRegularFile(out.runDir().resolve("report-g2p.json")));
        assertEquals(List.of("a/1", "b/latest"), JobConfig.parseRecorded(
                io.crossmodal.runtime.io.Json.MAPPER.writeValueAsString(bundle.manifest().trainingConfig())).train().ensemble().members());

        ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
        Seq2SeqData data = new Seq2SeqData(Seq2SeqJob.loadLexicon(cfg),
                io.crossmodal.datasets.split.Splitter.split(Seq2SeqJob.loadLexicon(cfg), cfg.splitConfig()));
        List<String> words = new ArrayList<>(Evaluation.references(data, "g2p", SplitName.TEST).keySet());
        SearchOptions opts = SearchOptions.beam(3, 2).withMaxLength(12);
        try (Seq2SeqPredictor served = Seq2SeqPredictor.create(bundle, "g2p", SessionFactory.cpu());
             Seq2SeqPredictor members = RegisteredPredictors.open(registry, List.of("a/1", "b/1"), "g2p",
                     data.split.fingerprint(), "test")) {
            var inputs = words.stream().map(Vocabulary::graphemes).toList();
            List<List<ScoredSequence>> got = served.transduce(inputs, opts);
            List<List<ScoredSequence>> want = members.transduce(inputs, opts);
            for (int i = 0; i < words.size(); i++) {
                assertEquals(want.get(i).get(0).symbols(), got.get(i).get(0).symbols(), words.get(i));
                assertEquals(want.get(i).get(0).logProb(), got.get(i).get(0).logProb(), 1e-3, words.get(i));
            }
            // the same test figure as scoring the members together
            double wer = Evaluation.evaluate(cfg, data, "g2p", members, SplitName.TEST, 3).metrics().wer();
            assertEquals(wer, ((Number) out.metrics().get("g2p.test.wer")).doubleValue(), 1e-9);
        }
    }

    @Test
    void membersOfAnotherSplitOrWithoutTheComponentAreRefusedAndNothingIsRegistered(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 200);
        TrainingRun.run(JobConfig.parse(config("a", lex, dir, 3, 1, "")), e -> { }, () -> false);
        TrainingRun.run(JobConfig.parse(config("other", lex, dir, 3, 2, "")), e -> { }, () -> false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.run(
                JobConfig.parse(config("ab", lex, dir, 5, 1, ensemble("a/1", "other/1"))), ev -> { }, () -> false));
        assertTrue(e.getMessage().contains("another split"), e.getMessage());

        String p2g = config("ab", lex, dir, 5, 1, ensemble("a/1", "a/latest")).replace("[\"g2p\"]", "[\"p2g\"]");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.run(JobConfig.parse(p2g), ev -> { }, () -> false));
        assertTrue(e.getMessage().contains("no seq2seq component 'p2g'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("registry").resolve("ab")), "nothing registered");
    }
}
