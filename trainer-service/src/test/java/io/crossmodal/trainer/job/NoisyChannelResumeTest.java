package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.train.AdamMoments;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.ParamIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semi phase resumes exactly: a tiny noisy-channel job stopped part-way through semi epoch 2
 * and run again over the same run directory ends with bit-identical parameters, Adam states,
 * generator state and dev history to an uninterrupted run of the same config, and the second run
 * redid neither the warm-up nor semi epoch 1.
 */
class NoisyChannelResumeTest {
    private static final List<String> PARTS = List.of("g2p", "p2g", "prior");
    private static final int STEPS = 3;
    private static final int EPOCHS = 3;

    private static JobConfig config(Path lex, Path run, Path registry) {
        return JobConfig.parse("""
                {"name": "nc-resume", "data": {"source": "%s"},
                 "split": {"paired": 20, "unpairedGraphemes": 60, "unpairedPhonemes": 60, "dev": 20, "test": 20},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "priorEmbed": 8, "priorHidden": 16,
                           "maxOutputLength": 12},
                 "train": {"batchSize": 16, "learningRate": 0.01, "devWords": 20, "beamWidth": 2},
                 "semi": {"enabled": true, "warmupEpochs": 1, "priorWarmupEpochs": 1, "epochs": %d,
                          "stepsPerEpoch": %d, "batchSize": 16, "samples": 2, "importanceWeighting": true,
                          "weights": {"wakePosterior": 0.5}, "elboWords": 10},
                 "seed": 11, "runDir": "%s", "registryDir": "%s", "export": false}
                """.formatted(lex, EPOCHS, STEPS, run, registry));
    }

    /** The returned (best-epoch) parameters of a finished semi phase, by component and name. */
    private static Map<String, Map<String, float[]>> train(JobConfig cfg, Lexicon lex, ProgressListener progress,
            AtomicBoolean cancel) throws Exception {
        try (Seq2SeqJob.TrainedModels m = new NoisyChannelJob(progress, cancel::get).train(cfg, lex, Path.of(cfg.runDir()))) {
            Map<String, Map<String, float[]>> out = new LinkedHashMap<>();
            PARTS.forEach(c -> out.put(c, ParamIO.named(m.models.get(c).getBlock())));
            return out;
        }
    }

    private static List<ProgressEvent> semi(List<ProgressEvent> events, String phase) {
        return events.stream().filter(e -> e.component().equals("semi") && e.phase().equals(phase)).toList();
    }

    private static void assertSameArrays(Map<String, float[]> a, Map<String, float[]> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), what + " " + k));
    }

    @Test
    void interruptedAndResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path lexFile = NoisyChannelJobTest.lexicon(dir, 300);
        JobConfig straightCfg = config(lexFile, dir.resolve("straight"), dir.resolve("registry"));
        JobConfig resumedCfg = config(lexFile, dir.resolve("resumed"), dir.resolve("registry"));
        Lexicon lex = Seq2SeqJob.loadLexicon(straightCfg);

        List<ProgressEvent> straightEvents = new ArrayList<>();
        Path straightCkpt = dir.resolve("straight").resolve("checkpoints").resolve("semi");
        Path epoch1Copy = dir.resolve("straight-semi-0001.ckpt");
        ProgressListener keepEpoch1 = e -> {
            straightEvents.add(e);
            if (e.component().equals("semi") && e.phase().equals("eval") && e.epoch() == 1) {
                try {
                    // the phase keeps only its last checkpoints: copy epoch 1's, to show epochs 2-3 changed things
                    Files.copy(SemiCheckpoint.file(straightCkpt, 1), epoch1Copy);
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }
        };
        Map<String, Map<String, float[]>> straight = train(straightCfg, lex, keepEpoch1, new AtomicBoolean());
        assertEquals(EPOCHS * STEPS, semi(straightEvents, "train").size());

        // first try: stopped after two steps of semi epoch 2 (the cancel check runs before every step)
        AtomicBoolean cancel = new AtomicBoolean();
        List<ProgressEvent> firstEvents = new ArrayList<>();
        ProgressListener stopper = e -> {
            firstEvents.add(e);
            if (e.component().equals("semi") && e.phase().equals("train") && e.step() == STEPS + 2) {
                cancel.set(true);
            }
        };
        assertThrows(ComponentTrainer.CancelledException.class, () -> train(resumedCfg, lex, stopper, cancel));
        assertEquals(STEPS + 2, semi(firstEvents, "train").size(), "stopped in semi epoch 2");
        Path ckpt = dir.resolve("resumed").resolve("checkpoints").resolve("semi");
        assertTrue(Files.exists(SemiCheckpoint.file(ckpt, 1)));
        assertFalse(Files.exists(SemiCheckpoint.file(ckpt, 2)));
        SemiCheckpoint firstTry = SemiCheckpoint.read(SemiCheckpoint.file(ckpt, 1));
        SemiCheckpoint straight1 = SemiCheckpoint.read(epoch1Copy);
        for (String c : PARTS) {
            assertSameArrays(straight1.last().get(c), firstTry.last().get(c), c + " parameters after epoch 1 (first try)");
            assertSameArrays(straight1.adam().get(c).mean(), firstTry.adam().get(c).mean(), c + " Adam mean after epoch 1");
        }

        // second try over the same directory
        List<ProgressEvent> secondEvents = new ArrayList<>();
        Map<String, Map<String, float[]>> resumed = train(resumedCfg, lex, secondEvents::add, new AtomicBoolean());
        for (String c : PARTS) {
            assertEquals(0, secondEvents.stream().filter(e -> e.component().equals(c) && e.phase().equals("train")).count(),
                    c + ": the finished warm-up is not trained again");
        }
        List<ProgressEvent> resumedSteps = semi(secondEvents, "train");
        assertEquals((EPOCHS - 1) * STEPS, resumedSteps.size(), "only semi epochs 2 and 3 are trained again");
        assertEquals(STEPS + 1, resumedSteps.get(0).step(), "the step counter continues after epoch 1");
        assertTrue(resumedSteps.stream().noneMatch(e -> e.epoch() == 1), "semi epoch 1 is not redone");
        assertEquals(1, semi(secondEvents, "resume").size());
        assertEquals(List.of(2, 3), semi(secondEvents, "eval").stream().map(ProgressEvent::epoch).toList(),
                "no 'after warm-up' evaluation when resuming");

        // same steps: every resumed step reports the losses the uninterrupted run's same step did
        List<ProgressEvent> straightSteps = semi(straightEvents, "train");
        for (ProgressEvent e : resumedSteps) {
            ProgressEvent s = straightSteps.get((int) e.step() - 1);
            assertEquals(s.step(), e.step());
            assertEquals(s.losses(), e.losses(), "losses of semi step " + e.step());
        }
        // same result: the returned best-epoch parameters, and the final checkpoint in full
        for (String c : PARTS) {
            assertSameArrays(straight.get(c), resumed.get(c), c + " final parameters");
        }
        SemiCheckpoint a = SemiCheckpoint.read(SemiCheckpoint.file(straightCkpt, EPOCHS));
        SemiCheckpoint b = SemiCheckpoint.read(SemiCheckpoint.file(ckpt, EPOCHS));
        SemiCheckpoint afterEpoch1 = SemiCheckpoint.read(epoch1Copy);
        for (String c : PARTS) {
            assertSameArrays(a.last().get(c), b.last().get(c), c + " last parameters");
            assertSameArrays(a.best().get(c), b.best().get(c), c + " best parameters");
            AdamMoments x = a.adam().get(c);
            AdamMoments y = b.adam().get(c);
            assertEquals(x.updates(), y.updates(), c);
            assertSameArrays(x.mean(), y.mean(), c + " Adam mean");
            assertSameArrays(x.variance(), y.variance(), c + " Adam variance");
        }
        assertEquals(a.progress().trainer().rngState(), b.progress().trainer().rngState());
        assertEquals(a.progress().trainer().learningRates(), b.progress().trainer().learningRates());
        assertEquals(a.progress().trainer().nonFiniteSkips(), b.progress().trainer().nonFiniteSkips());
        assertEquals(a.progress().batchRngState(), b.progress().batchRngState());
        assertEquals(a.progress().bestEpoch(), b.progress().bestEpoch());
        assertEquals(a.progress().bestDev(), b.progress().bestDev());
        assertEquals(a.progress().records().stream().map(NoisyChannelJob.EpochRecord::dev).toList(),
                b.progress().records().stream().map(NoisyChannelJob.EpochRecord::dev).toList());
        assertEquals(EPOCHS * STEPS, b.progress().step());
        // the comparison is not vacuous: epochs 2 and 3 moved every model and the sample stream
        for (String c : PARTS) {
            boolean moved = a.last().get(c).keySet().stream()
                    .anyMatch(k -> !java.util.Arrays.equals(a.last().get(c).get(k), afterEpoch1.last().get(c).get(k)));
            assertTrue(moved, c + " trained in epochs 2 and 3");
        }
        assertTrue(a.progress().trainer().rngState() != afterEpoch1.progress().trainer().rngState());
        assertFalse(Files.exists(SemiCheckpoint.file(ckpt, EPOCHS - 1)), "only the final checkpoint stays after the phase");

        // a third run finds the phase finished: no step, the same parameters
        List<ProgressEvent> thirdEvents = new ArrayList<>();
        Map<String, Map<String, float[]>> again = train(resumedCfg, lex, thirdEvents::add, new AtomicBoolean());
        assertEquals(0, semi(thirdEvents, "train").size());
        for (String c : PARTS) {
            assertSameArrays(straight.get(c), again.get(c), c + " parameters after a finished phase is rerun");
        }
    }
}
