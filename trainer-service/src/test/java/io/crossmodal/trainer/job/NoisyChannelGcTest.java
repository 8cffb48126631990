package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.train.ParamIO;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A noisy-channel job does not depend on when the garbage collector runs: a tiny job (warm-up and
 * three semi steps) trained while another thread keeps calling {@code System.gc()} ends with the
 * very same parameters as one trained without. Before the fix in {@code Scalars} this failed in 3
 * of 3 runs: DJL's {@code div(Number)} / {@code mul(Number)} leave autograd holding a tensor whose
 * memory is a Java buffer the collector frees, and the semi phase's first steps ended with "Gradient
 * values are all zeros", or with NaN and 1e23 gradients (docs/NOISY_CHANNEL.md).
 */
class NoisyChannelGcTest {
    private static final List<String> PARTS = List.of("g2p", "p2g", "prior");

    private static JobConfig config(Path lex, Path run, Path registry) {
        return JobConfig.parse("""
                {"name": "nc-gc", "data": {"source": "%s"},
                 "split": {"paired": 20, "unpairedGraphemes": 60, "unpairedPhonemes": 60, "dev": 20, "test": 20},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "priorEmbed": 8, "priorHidden": 16,
                           "maxOutputLength": 12},
                 "train": {"batchSize": 16, "learningRate": 0.01, "devWords": 20, "beamWidth": 2},
                 "semi": {"enabled": true, "warmupEpochs": 1, "priorWarmupEpochs": 1, "epochs": 1,
                          "stepsPerEpoch": 3, "batchSize": 16, "samples": 2, "importanceWeighting": true,
                          "weights": {"wakePosterior": 0.5}, "elboWords": 10},
                 "seed": 11, "runDir": "%s", "registryDir": "%s", "export": false}
                """.formatted(lex, run, registry));
    }

    /** Trains the job (with a thread calling System.gc() throughout when {@code collect}); the final parameters. */
    private static Map<String, Map<String, float[]>> train(Path dir, Path lexFile, String name, boolean collect)
            throws Exception {
        JobConfig cfg = config(lexFile, dir.resolve(name), dir.resolve("registry"));
        Lexicon lex = Seq2SeqJob.loadLexicon(cfg);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong collections = new AtomicLong();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                collections.incrementAndGet();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc-caller");
        if (collect) {
            collector.start();
        }
        try (Seq2SeqJob.TrainedModels m = new NoisyChannelJob(e -> {}, () -> false).train(cfg, lex, Path.of(cfg.runDir()))) {
            assertEquals(3L, m.extraMetrics.get("semi.steps"), name);
            assertEquals(0L, m.extraMetrics.get("semi.nonfinite_skips"), name);
            Map<String, Map<String, float[]>> out = new LinkedHashMap<>();
            PARTS.forEach(c -> out.put(c, ParamIO.named(m.models.get(c).getBlock())));
            return out;
        } finally {
            stop.set(true);
            if (collect) {
                collector.join();
                assertTrue(collections.get() > 0, "the collector thread never ran");
            }
        }
    }

    @Test
    void aJobTrainedWhileTheCollectorKeepsRunningEndsWithTheSameParameters(@TempDir Path dir) throws Exception {
        Path lexFile = NoisyChannelJobTest.lexicon(dir, 300);
        Map<String, Map<String, float[]>> quiet = train(dir, lexFile, "quiet", false);
        Map<String, Map<String, float[]>> collected = train(dir, lexFile, "collected", true);
        for (String c : PARTS) {
            assertEquals(quiet.get(c).keySet(), collected.get(c).keySet(), c);
            quiet.get(c).forEach((k, v) -> assertArrayEquals(v, collected.get(c).get(k), c + " " + k));
        }
    }
}
