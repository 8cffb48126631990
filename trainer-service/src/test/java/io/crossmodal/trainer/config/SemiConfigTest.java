package io.crossmodal.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The optional {@code semi} section: absent = supervised only, defaults, validation. */
class SemiConfigTest {
    private static final String UNPAIRED = "\"split\": {\"unpairedGraphemes\": 10, \"unpairedPhonemes\": 10}";

    @Test
    void absentSectionMeansSupervisedAndSerialisesAsBefore() {
        JobConfig c = JobConfig.parse("{}");
        assertNull(c.semi());
        assertFalse(c.semiEnabled());
        assertFalse(c.toJson().contains("semi"), c.toJson());
        assertEquals(c, JobConfig.parse(c.toJson()));
        // the pre-semi constructor (used by the gRPC mapping) still works
        JobConfig old = new JobConfig(null, null, null, null, null, null, null, null, null, null, null);
        assertNull(old.semi());
        assertEquals(c.name(), old.name());
    }

    @Test
    void defaults() {
        JobConfig c = JobConfig.parse("{\"semi\": {\"enabled\": true}, " + UNPAIRED + "}");
        JobConfig.Semi s = c.semi();
        assertTrue(c.semiEnabled());
        assertEquals(5, s.warmupEpochs());
        assertEquals(10, s.epochs());
        assertEquals(0, s.stepsPerEpoch());
        assertEquals(32, s.batchSize());
        assertEquals(new JobConfig.SemiWeights(1.0, 1.0, 1.0, 1.0), s.weights());
        assertEquals(4, s.samples());
        assertEquals(1.0, s.temperature());
        assertEquals("sample", s.wakeSearch());
        assertFalse(s.importanceWeighting());
        assertEquals("unpaired", s.sleepSource());
        assertEquals(200, s.elboWords());
        assertEquals(c, JobConfig.parse(c.toJson()), "round trip");
        assertFalse(JobConfig.parse("{\"semi\": {}}").semiEnabled(), "enabled defaults to false");
    }

    @Test
    void explicitValuesAndPartialWeights() {
        JobConfig c = JobConfig.parse("{\"semi\": {\"enabled\": true, \"warmupEpochs\": 2, \"epochs\": 3, \"stepsPerEpoch\": 50,"
                + " \"batchSize\": 16, \"weights\": {\"wake\": 0.5, \"prior\": 0}, \"samples\": 8, \"temperature\": 0.7,"
                + " \"wakeSearch\": \"beam\", \"importanceWeighting\": true, \"sleepSource\": \"prior\", \"elboWords\": 0},"
                + " \"split\": {\"unpairedPhonemes\": 10}}");
        JobConfig.Semi s = c.semi();
        assertEquals(new JobConfig.SemiWeights(1.0, 0.0, 0.5, 1.0), s.weights());
        assertEquals("beam", s.wakeSearch());
        assertTrue(s.importanceWeighting());
        assertFalse(s.readsUnpairedSpellings(), "prior weight 0 and sleep from the prior: Uy not needed");
        assertTrue(s.readsUnpairedPhonemes());
        assertEquals(c, JobConfig.parse(c.toJson()));
        assertEquals(2, c.withEpochs(2).train().epochs());
        assertEquals(c.semi(), c.withEpochs(2).semi());
    }

    @Test
    void badValuesGetMessagesNamingTheField() {
        assertMessage("{\"semi\": {\"wakeSearch\": \"greedy\"}}", "semi.wakeSearch");
        assertMessage("{\"semi\": {\"sleepSource\": \"dream\"}}", "semi.sleepSource");
        assertMessage("{\"semi\": {\"temperature\": 0}}", "semi.temperature");
        assertMessage("{\"semi\": {\"samples\": 0}}", "semi.samples");
        assertMessage("{\"semi\": {\"warmupEpochs\": 0}}", "semi.warmupEpochs");
        assertMessage("{\"semi\": {\"stepsPerEpoch\": -1}}", "semi.stepsPerEpoch");
        assertMessage("{\"semi\": {\"weights\": {\"wake\": -1}}}", "semi.weights.wake");
        assertMessage("{\"semi\": {\"weights\": {\"supervised\": 0, \"prior\": 0, \"wake\": 0, \"sleep\": 0}}}", "at least one");
        assertMessage("{\"semi\": {\"weights\": {\"wakes\": 1}}}", "wakes");
        assertMessage("{\"semi\": {\"enable\": true}}", "enable");
        assertMessage("{\"semi\": {\"enabled\": true}, \"components\": [\"g2p\", \"p2g\"], " + UNPAIRED + "}", "components");
        assertMessage("{\"semi\": {\"enabled\": true}, \"split\": {\"unpairedGraphemes\": 10}}", "unpairedPhonemes");
        assertMessage("{\"semi\": {\"enabled\": true}, \"split\": {\"unpairedPhonemes\": 10}}", "unpairedGraphemes");
        // a disabled section is not checked against the split
        assertFalse(JobConfig.parse("{\"semi\": {\"enabled\": false}}").semiEnabled());
    }

    private static void assertMessage(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(json));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should mention " + expected);
    }

    @Test
    void noisyChannelOptionsParseWithDefaultsAndAreValidated() {
        JobConfig.Semi d = JobConfig.parse("{\"semi\": {\"enabled\": true}, " + UNPAIRED + "}").semi();
        assertFalse(d.continueOptimizer());
        assertFalse(d.rerankEnabled());
        assertEquals(0.0, d.weights().wakePosterior());

        JobConfig c = JobConfig.parse("{\"semi\": {\"enabled\": true, \"continueOptimizer\": true,"
                + " \"weights\": {\"wakePosterior\": 0.5}, \"rerank\": {\"nBest\": 4, \"lambdas\": [0, 0.5]}}, "
                + UNPAIRED + "}");
        assertTrue(c.semi().continueOptimizer());
        assertTrue(c.semi().rerankEnabled());
        assertEquals(4, c.semi().rerank().nBest());
        assertEquals(java.util.List.of(0.0, 0.5), c.semi().rerank().lambdas());
        assertEquals(0.5, c.semi().weights().wakePosterior());
        assertEquals(c, JobConfig.parse(c.toJson()), "round trip");
        // the wake update of q reads unpaired phoneme strings
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(
                "{\"semi\": {\"enabled\": true, \"weights\": {\"supervised\": 1, \"prior\": 0, \"wake\": 0,"
                        + " \"sleep\": 0, \"wakePosterior\": 1}}, \"split\": {\"unpairedGraphemes\": 10}}"));
        assertTrue(e.getMessage().contains("unpaired phoneme"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(
                "{\"semi\": {\"enabled\": true, \"rerank\": {\"lambdas\": []}}, " + UNPAIRED + "}"));
        assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(
                "{\"semi\": {\"enabled\": true, \"rerank\": {\"nBest\": 1}}, " + UNPAIRED + "}"));
    }

    @Test
    void splitGroupingDefaultsToHomophonesAndRecordedConfigsWithoutItAreLegacy() {
        assertEquals("homophones", JobConfig.parse("{}").splitConfig().grouping());
        assertEquals("word", JobConfig.parse("{\"split\": {\"grouping\": \"word\"}}").splitConfig().grouping());
        // a config recorded before the field existed was split per word
        assertEquals("word", JobConfig.parseRecorded("{\"split\": {\"paired\": 5}}").splitConfig().grouping());
        assertEquals("homophones", JobConfig.parseRecorded(JobConfig.parse("{}").toJson()).splitConfig().grouping());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.parse("{\"split\": {\"grouping\": \"spelling\"}}"));
        assertTrue(e.getMessage().contains("split.grouping"), e.getMessage());
    }
}
