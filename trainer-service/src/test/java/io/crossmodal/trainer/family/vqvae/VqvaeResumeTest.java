package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.family.vqvae.train.CodebookUpkeep;
import io.crossmodal.trainer.family.vqvae.train.ParamsFile;
import io.crossmodal.trainer.family.vqvae.train.UpkeepState;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.train.AdamMoments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VQ-VAE run with EMA codebook updates and dead-code re-initialisation, interrupted in the middle
 * of an epoch and started again, ends bit for bit where an uninterrupted run ends: the checkpoint
 * carries Adam's state and the upkeep's EMA averages, dead-code clocks and counter, and batches and
 * jitter come from per-epoch generators. A resume without the upkeep state ends elsewhere, which
 * shows that the comparison can fail.
 */
class VqvaeResumeTest {

    private static final int EPOCHS = 3;

    @TempDir
    Path dir;

    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted by the test", null, false, false);
        }
    }

    @Test
    void anInterruptedEmaRunResumesToTheUninterruptedRunsParametersAndUpkeepState() throws Exception {
        VqvaeData data = VqvaeTestModels.syntheticData();
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", true, true, 2).withEpochs(EPOCHS);

        Path straight = dir.resolve("straight");
        int straightReinit = train(cfg, data, straight, e -> { });
        assertTrue(straightReinit > 0, "the run re-initialises dead codes, so their clocks matter");

        Path resumed = dir.resolve("resumed");
        interruptInEpoch2(cfg, data, resumed);
        UpkeepState atInterruption = UpkeepState.read(resumed.resolve("checkpoints").resolve(UpkeepState.FILE));
        assertNotNull(atInterruption, "the epoch-1 checkpoint holds the upkeep state");
        assertTrue(atInterruption.step() > 0 && atInterruption.trainerStep() == atInterruption.step());
        assertFalse(allOnes(atInterruption.counts()), "EMA cluster sizes have moved from their start");
        int resumedReinit = train(cfg, data, resumed, e -> { });

        Map<String, float[]> a = read(straight);
        Map<String, float[]> b = read(resumed);
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("codebook"), "the EMA codebook is in the checkpoint");
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), 0f, "array " + k + " after resume");
        }
        UpkeepState sa = UpkeepState.read(straight.resolve("checkpoints").resolve(UpkeepState.FILE));
        UpkeepState sb = UpkeepState.read(resumed.resolve("checkpoints").resolve(UpkeepState.FILE));
        assertArrayEquals(sa.counts(), sb.counts(), 0.0, "EMA cluster sizes");
        assertArrayEquals(sa.sums(), sb.sums(), 0.0, "EMA running sums");
        assertArrayEquals(sa.lastUsed(), sb.lastUsed(), "dead-code clocks");
        assertEquals(sa.step(), sb.step());
        assertEquals(sa.reinitialised(), sb.reinitialised());
        assertEquals(straightReinit, resumedReinit, "the re-initialisation counter continues");
        AdamMoments ma = AdamMoments.read(straight.resolve("checkpoints").resolve(AdamMoments.FILE));
        AdamMoments mb = AdamMoments.read(resumed.resolve("checkpoints").resolve(AdamMoments.FILE));
        assertEquals(ma.updates(), mb.updates());

        Path fresh = dir.resolve("fresh-upkeep");
        interruptInEpoch2(cfg, data, fresh);
        Files.delete(fresh.resolve("checkpoints").resolve(UpkeepState.FILE));
        train(cfg, data, fresh, e -> { });
        Map<String, float[]> c = read(fresh);
        assertFalse(java.util.Arrays.equals(a.get("codebook"), c.get("codebook")),
                "without the upkeep state the resumed codebook differs, so the comparison above can fail");
    }

    @Test
    void upkeepStateOfAnotherCodebookSizeIsRefused() throws Exception {
        VqvaeData data = VqvaeTestModels.syntheticData();
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", false, true, 2).withEpochs(1);
        Path run = dir.resolve("run");
        train(cfg, data, run, e -> { });
        UpkeepState s = UpkeepState.read(run.resolve("checkpoints").resolve(UpkeepState.FILE));
        CodebookUpkeep other = new CodebookUpkeep(new float[2 * 3], 2, 3, true, 0.9, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.restore(s));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    private static boolean allOnes(double[] v) {
        return java.util.Arrays.stream(v).allMatch(x -> x == 1.0);
    }

    /** Trains epoch 1 to its checkpoint, then throws from the progress listener half-way through epoch 2. */
    private static void interruptInEpoch2(VqvaeConfig cfg, VqvaeData data, Path run) {
        int perEpoch = (data.train().size() + cfg.batchSize() - 1) / cfg.batchSize();
        assertTrue(perEpoch >= 2, "an epoch has a middle");
        ProgressListener stop = e -> {
            if (e.phase().equals("train") && e.epoch() == 2 && e.step() == perEpoch + perEpoch / 2) {
                throw new Interrupted();
            }
        };
        assertThrows(Interrupted.class, () -> train(cfg, data, run, stop));
    }

    private static int train(VqvaeConfig cfg, VqvaeData data, Path run, ProgressListener progress) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            return new VqvaeTrainer(cfg, data, progress, "resume-test").train(m, run).reinitialisedCodes();
        }
    }

    /** The checkpoint's arrays, read into a model of the same config. */
    private static Map<String, float[]> read(Path run) {
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", true, true, 2);
            VqvaeNet net = new VqvaeNet(cfg, VqvaeTestModels.syntheticData().speakers().size(), m);
            Map<String, NDArray> arrays = VqvaeTrainer.savedArrays(net);
            ParamsFile.load(arrays, run.resolve("checkpoints").resolve("last.params"));
            Map<String, float[]> out = new LinkedHashMap<>();
            arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
