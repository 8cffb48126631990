package io.crossmodal.trainer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyConfigTest {

    static final String BASE = """
            {"split": {"unpairedGraphemes": 300, "unpairedPhonemes": 300, "dev": 40, "test": 50},
             "model": {"embed": 8, "encHidden": 8, "decHidden": 8, "priorEmbed": 8, "priorHidden": 8},
             "train": {"epochs": 3, "threads": 1},
             "semi": {"warmupEpochs": 2, "epochs": 2, "stepsPerEpoch": 5, "samples": 2}}
            """;

    static StudyConfig parse(Path dir, String extra) throws Exception {
        Path f = dir.resolve("study.json");
        Files.writeString(f, """
                {"name": "s", "outDir": "%s", "base": %s %s}
                """.formatted(dir.resolve("out"), BASE, extra));
        return StudyConfig.read(f);
    }

    @Test
    void planCoversTheGridWithSeedsOnlyUpToTheMultiSeedSize(@TempDir Path dir) throws Exception {
        StudyConfig cfg = parse(dir, """
                , "pairedSizes": [10, 20, 80], "seeds": [1, 2, 3], "multiSeedMaxSize": 20,
                  "zeroPaired": ["location", "luong"], "ceiling": {"train": {"epochs": 1}}
                """);
        List<StudyConfig.Run> plan = cfg.plan();
        // (2 sizes x 3 seeds + 1 size x 1 seed) x 4 systems + 2 zero-paired + 1 ceiling
        assertEquals(7 * 4 + 2 + 1, plan.size());
        assertEquals(plan.size(), plan.stream().map(StudyConfig.Run::id).distinct().count(), "ids are unique");
        assertEquals(Set.of(1L), plan.stream().filter(r -> r.paired() == 80).map(StudyConfig.Run::seed).collect(Collectors.toSet()));
        // every run shares the split seed, so test words are the same everywhere; seeds differ per run
        assertEquals(Set.of(1L), plan.stream().map(r -> r.job().splitConfig().seed()).collect(Collectors.toSet()));
        StudyConfig.Run sup = find(plan, "p20-supervised-s2");
        assertEquals(20, sup.job().split().paired());
        assertEquals(2L, sup.job().seed());
        assertEquals(List.of(1.0, 0.0, 0.0, 0.0), weights(sup.job()));
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0), weights(find(plan, "p20-noisy-channel-s2").job()));
        assertEquals(List.of(1.0, 0.0, 0.0, 1.0), weights(find(plan, "p20-sleep-only-s1").job()));
        assertEquals(List.of(1.0, 0.0, 1.0, 0.0), weights(find(plan, "p20-wake-only-s1").job()));
        assertEquals("s-p20", sup.job().name(), "one registry model per paired size");
        assertTrue(sup.job().runDir().endsWith("runs/p20-supervised-s2"));
        // unchanged template fields survive
        assertEquals(2, sup.job().semi().warmupEpochs());
        assertEquals(300, sup.job().split().unpairedGraphemes());

        StudyConfig.Run zero = find(plan, "p0-location-noisy-channel-s1");
        assertEquals(0, zero.job().split().paired());
        assertEquals(0.0, zero.job().semi().weights().supervised());
        assertTrue(zero.job().model().locationAttention());
        assertFalse(find(plan, "p0-luong-noisy-channel-s1").job().model().locationAttention());

        StudyConfig.Run ceiling = find(plan, "all-supervised-s1");
        assertEquals(-1, ceiling.job().split().paired());
        assertNull(ceiling.job().semi());
        assertEquals(1, ceiling.job().train().epochs());
        assertEquals(0, ceiling.job().split().unpairedPhonemes());
    }

    @Test
    void rejectsBadStudies(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> parse(dir, ", \"pairedSizes\": [0]"));
        assertThrows(IllegalArgumentException.class, () -> parse(dir, ", \"systems\": {\"nc\": {}}"));
        assertThrows(IllegalArgumentException.class, () -> parse(dir, ", \"zeroPaired\": [\"gaussian\"]"));
        assertThrows(IllegalArgumentException.class, () -> parse(dir, ", \"parallel\": 0"));
        assertThrows(IllegalArgumentException.class, () -> parse(dir, ", \"seedz\": [1]"));
        // a template error names the run it breaks
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(dir, ", \"systems\": {\"supervised\": {\"wake\": -1}}").plan());
        assertTrue(e.getMessage().contains("p100-supervised-s1"), e.getMessage());
    }

    private static StudyConfig.Run find(List<StudyConfig.Run> plan, String id) {
        return plan.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no run " + id
                + " in " + plan.stream().map(StudyConfig.Run::id).toList()));
    }

    private static List<Double> weights(JobConfig job) {
        JobConfig.SemiWeights w = job.semi().weights();
        return List.of(w.supervised(), w.prior(), w.wake(), w.sleep());
    }

    @Test
    void reportAggregatesOverSeedsAndComparesAgainstSupervised(@TempDir Path dir) throws Exception {
        StudyConfig cfg = parse(dir, ", \"pairedSizes\": [100]");
        List<RunResult> runs = List.of(
                result("p100", "supervised", 1, 0.50), result("p100", "supervised", 2, 0.52), result("p100", "supervised", 3, 0.54),
                result("p100", "noisy-channel", 1, 0.40), result("p100", "noisy-channel", 2, 0.41),
                result("p100", "noisy-channel", 3, 0.42),
                result("p100", "wake-only", 1, 0.49), result("p100", "wake-only", 2, 0.53), result("p100", "wake-only", 3, 0.60));
        StudyReport report = StudyReport.of(cfg, runs);
        StudyReport.Row sup = report.rows().stream().filter(r -> r.system().equals("supervised")).findFirst().orElseThrow();
        Stats s = sup.test().get("g2p.wer");
        assertEquals(0.52, s.mean(), 1e-12);
        assertEquals(0.02, s.sd(), 1e-12); // sqrt(((-.02)^2 + 0 + .02^2) / 2)
        assertEquals(0.50, s.min(), 1e-12);
        assertEquals(0.54, s.max(), 1e-12);
        StudyReport.Comparison nc = report.comparisons().stream().filter(c -> c.system().equals("noisy-channel")).findFirst().orElseThrow();
        assertEquals((0.41 - 0.52) / 0.52, nc.relativeChange().get("g2p.wer"), 1e-12);
        assertTrue(nc.beyondSpread().get("g2p.wer"));
        StudyReport.Comparison wake = report.comparisons().stream().filter(c -> c.system().equals("wake-only")).findFirst().orElseThrow();
        assertFalse(wake.beyondSpread().get("g2p.wer"), "overlapping ranges are not beyond the spread");
        String md = report.markdown(StudyRunner.bestPerGroup(runs));
        assertTrue(md.contains("| 100 | supervised | [1,2,3] | 17.33 ± 0.67 [16.67, 18.00] | 52.00 ± 2.00 [50.00, 54.00] |"), md);
        assertTrue(md.contains("-21.2% s✓"), "no per-word scores: the seed-spread rule decides, marked s: " + md);
        // the best run is picked on dev (lowest summed dev PER), never on test
        assertEquals("p100-noisy-channel-s1", StudyRunner.bestPerGroup(runs).get("p100").id());
    }

    private static RunResult result(String group, String system, long seed, double err) {
        Map<String, Double> test = Map.of("g2p.per", err / 3, "g2p.wer", err, "p2g.per", err / 2, "p2g.wer", err);
        Map<String, Double> dev = Map.of("g2p.per", err / 3 + seed * 1e-3, "p2g.per", err / 2);
        return new RunResult(group + "-" + system + "-s" + seed, group, 100, system, seed, test, dev, (int) seed, 1.0);
    }

    @Test
    void systemSemiOverridesReachOnlyTheirSystem(@TempDir Path dir) throws Exception {
        StudyConfig cfg = parse(dir, """
                , "pairedSizes": [10], "seeds": [1],
                  "systems": {"supervised": {"prior": 0, "wake": 0, "sleep": 0}, "nc": {}, "nc-iw-rws": {"wakePosterior": 1}},
                  "systemSemi": {"nc-iw-rws": {"importanceWeighting": true, "sleepSource": "prior",
                                                "continueOptimizer": true, "rerank": {"nBest": 4}}}
                """);
        JobConfig.Semi rws = find(cfg.plan(), "p10-nc-iw-rws-s1").job().semi();
        assertTrue(rws.importanceWeighting());
        assertEquals("prior", rws.sleepSource());
        assertTrue(rws.continueOptimizer());
        assertEquals(4, rws.rerank().nBest());
        assertEquals(1.0, rws.weights().wakePosterior());
        assertEquals(2, rws.warmupEpochs(), "base semi fields stay");
        JobConfig.Semi nc = find(cfg.plan(), "p10-nc-s1").job().semi();
        assertFalse(nc.importanceWeighting());
        assertFalse(nc.rerankEnabled());
        assertThrows(IllegalArgumentException.class, () -> parse(dir, """
                , "systemSemi": {"unknown": {"importanceWeighting": true}}
                """));
    }

    @Test
    void committedStudyV2ConfigPlansTheGrid() throws Exception {
        StudyConfig cfg = StudyConfig.read(Path.of("../configs/study-v2.json"));
        List<StudyConfig.Run> plan = cfg.plan();
        assertEquals(3 * 3 * cfg.systems().size(), plan.size());
        plan.forEach(r -> assertEquals("homophones", r.job().splitConfig().grouping(), r.id()));
        assertTrue(plan.stream().allMatch(r -> r.job().semi().rerankEnabled()), "every run also reports reranking");
    }

    /**
     * With per-word scores the comparison is the paired bootstrap over test words: a system that
     * fixes 20 of 100 words in every seed is better (the whole interval below 0); one that makes the
     * same errors as supervised is not.
     */
    @Test
    void pairedBootstrapOverTestWordsDecidesWhenScoresExist(@TempDir Path dir) throws Exception {
        StudyConfig cfg = parse(dir, ", \"pairedSizes\": [100]");
        List<RunResult> runs = new java.util.ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String system : List.of("supervised", "noisy-channel", "wake-only")) {
            for (long seed = 1; seed <= 3; seed++) {
                int wrong = system.equals("noisy-channel") ? 40 : 60;
                RunResult r = result("p100", system, seed, wrong / 100.0);
                runs.add(r);
                List<io.crossmodal.family.seq2seq.eval.WordScore> words = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    words.add(new io.crossmodal.family.seq2seq.eval.WordScore(String.format("w%03d", i), List.of("A"),
                            List.of("A", "B"), i < wrong ? 1 : 0));
                }
                Path runDir = Path.of(cfg.outDir(), "runs", r.id());
                Files.createDirectories(runDir);
                for (String c : List.of("g2p", "p2g")) {
                    json.writeValue(runDir.resolve("scores-" + c + ".json").toFile(), words);
                }
            }
        }
        StudyReport report = StudyReport.of(cfg, runs);
        StudyReport.Comparison nc = report.comparisons().stream().filter(c -> c.system().equals("noisy-channel")).findFirst()
                .orElseThrow();
        assertTrue(nc.better().get("g2p.wer") && nc.better().get("p2g.per"), nc.toString());
        assertEquals(-0.2, nc.bootstrap().get("g2p.wer").observed(), 1e-12, "20 of 100 words fewer wrong");
        assertEquals(-0.1, nc.bootstrap().get("g2p.per").observed(), 1e-12, "20 of 200 reference symbols");
        assertEquals(300, nc.bootstrap().get("g2p.per").words(), "3 seeds x 100 words pooled");
        StudyReport.Comparison same = report.comparisons().stream().filter(c -> c.system().equals("wake-only")).findFirst()
                .orElseThrow();
        assertFalse(same.better().get("g2p.wer"), same.toString());
        String md = report.markdown(StudyRunner.bestPerGroup(runs));
        assertTrue(md.contains("✓ ["), md);
    }

    @Test
    void rerankedMetricsGetTheirOwnTable(@TempDir Path dir) throws Exception {
        StudyConfig cfg = parse(dir, ", \"pairedSizes\": [100]");
        List<RunResult> runs = new java.util.ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            RunResult r = result("p100", "noisy-channel", seed, 0.4);
            Map<String, Double> test = new java.util.LinkedHashMap<>(r.test());
            test.putAll(Map.of("g2p.rerank.per", 0.1, "g2p.rerank.wer", 0.3, "p2g.rerank.per", 0.2, "p2g.rerank.wer", 0.35));
            runs.add(new RunResult(r.id(), r.group(), r.paired(), r.system(), seed, test, r.dev(), r.version(), 1.0,
                    "Test CPU", Map.of("semi.nonfinite_skips", 2)));
            runs.add(result("p100", "supervised", seed, 0.5));
        }
        StudyReport report = StudyReport.of(cfg, runs);
        String md = report.markdown(StudyRunner.bestPerGroup(runs));
        assertTrue(md.contains("## With noisy-channel reranking at test time"), md);
        assertTrue(md.contains("| 100 | noisy-channel | [1,2] | 10.00 ± 0.00 [10.00, 10.00] | 30.00"), md);
        assertTrue(md.contains("Test CPU") && md.contains("not recorded"), "machines listed: " + md);
        assertTrue(md.contains("?/?/?, 2"), "skip counters per run: " + md);
    }
}
