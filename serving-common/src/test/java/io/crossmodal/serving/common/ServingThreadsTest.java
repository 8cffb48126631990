package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The auto thread rule and its overrides (docs/BENCHMARKS.md section 4 says why this rule). */
class ServingThreadsTest {

    static ServingThreads auto(int cores) {
        return ServingThreads.of(cores, "auto", "auto", "auto", "auto");
    }

    @Test
    void autoSplitsTheCoresBetweenBatchWorkersAndIntraOpThreadsWithoutSpinning() {
        assertEquals(new ServingThreads(1, 1, 1, 1, false), auto(1));
        assertEquals(new ServingThreads(2, 1, 2, 1, false), auto(2));
        assertEquals(new ServingThreads(3, 1, 3, 1, false), auto(3));
        assertEquals(new ServingThreads(4, 2, 2, 1, false), auto(4));
        assertEquals(new ServingThreads(8, 4, 2, 1, false), auto(8));
        assertEquals(new ServingThreads(16, 4, 4, 1, false), auto(16));
        for (int cores = 1; cores <= 64; cores++) {
            ServingThreads t = auto(cores);
            assertTrue(t.batchWorkers() * t.intraOpThreads() <= cores, "never more busy threads than cores: " + t);
            assertTrue(t.batchWorkers() * t.intraOpThreads() > cores / 2, "at least half the cores in use: " + t);
        }
    }

    @Test
    void explicitValuesOverrideAndBadOnesNameTheKey() {
        assertEquals(new ServingThreads(2, 1, 2, 0, true), ServingThreads.of(2, "1", "2", "0", "true"));
        assertEquals(new ServingThreads(8, 3, 2, 1, false), ServingThreads.of(8, "3", "auto", " auto ", "false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServingThreads.of(2, "0", "auto", "auto", "auto"));
        assertTrue(e.getMessage().contains("crossmodal.serving.compute.batch-workers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServingThreads.of(2, "auto", "many", "auto", "auto"));
        assertTrue(e.getMessage().contains("crossmodal.onnx.intra-op-threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServingThreads.of(2, "auto", "auto", "auto", "yes"));
        assertTrue(e.getMessage().contains("crossmodal.onnx.allow-spinning"), e.getMessage());
    }
}
