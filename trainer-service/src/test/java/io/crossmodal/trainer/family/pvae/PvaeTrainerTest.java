package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.trainer.family.pvae.data.DigitImage;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.pvae.model.PvaeNet;
import io.crossmodal.trainer.family.pvae.train.AdamStep;
import io.crossmodal.trainer.family.pvae.train.PvaeTrainer;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.train.AdamMoments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training lowers the loss, reports progress with an ETA, checkpoints every epoch and resumes where it stopped. */
class PvaeTrainerTest {

    @TempDir
    Path tmp;

    @Test
    void trainsCheckpointsAndResumes() throws Exception {
        PvaeData data = data();
        PvaeConfig two = config(2);
        List<ProgressEvent> events = new ArrayList<>();
        Map<String, float[]> afterTwo;
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(two, data, events::add).train(m, tmp);
            assertEquals(2, r.history().size());
            afterTwo = values(r.net());
        }
        assertTrue(Files.exists(tmp.resolve("checkpoints/last.params")));
        assertTrue(Files.exists(tmp.resolve("learning-curves.png")));
        assertTrue(events.stream().anyMatch(e -> e.phase().equals("train") && e.step() > 1 && Double.isFinite(e.etaSeconds())),
                "train progress carries an ETA");
        assertTrue(events.stream().anyMatch(e -> e.phase().equals("eval") && e.losses().containsKey("contrast")),
                "per-term losses are reported each epoch");

        // memory stays flat: a longer run leaves no more arrays in the training manager than a short one
        int[] managed = new int[2];
        for (int k = 0; k < 2; k++) {
            try (NDManager m = NDManager.newBaseManager()) {
                Path dir = tmp.resolve("flat" + k);
                PvaeConfig c = config(k == 0 ? 1 : 4);
                new PvaeTrainer(c.with("pvae", 5, 0, dir.toString()), data, e -> { }).train(m, dir);
                managed[k] = m.getManagedArrays().size();
            }
        }
        assertEquals(managed[0], managed[1], "arrays left in the training manager after 1 vs 4 epochs");

        // resuming restores the weights, every one of them exactly (not only the counters): a run over the same
        // directory with nothing left to train returns the checkpointed model, not a fresh initialisation
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(two, data, e -> { }).train(m, tmp);
            Map<String, float[]> restored = values(r.net());
            assertEquals(afterTwo.keySet(), restored.keySet());
            afterTwo.forEach((name, v) -> assertArrayEquals(v, restored.get(name), 0f, name));
            Map<String, float[]> fresh = values(new PvaeNet(two, data.frames() * data.melBins(), m));
            assertTrue(afterTwo.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue(), fresh.get(e.getKey()))),
                    "training moved the weights away from the initialisation");
        }

        List<ProgressEvent> resumed = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(config(4), data, resumed::add).train(m, tmp);
            assertEquals(4, r.history().size(), "two epochs restored from the checkpoint, two trained");
            assertEquals(1, resumed.stream().filter(e -> e.phase().equals("resume")).count());
            assertEquals(3, resumed.stream().filter(e -> e.phase().equals("eval")).findFirst().orElseThrow().epoch(),
                    "training went on after the last finished epoch");
            assertTrue(r.history().get(3).trainLoss() < r.history().get(0).trainLoss(), "loss went down: " + r.history());
        }
        // saving and loading restores the parameters into a differently initialised model
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeNet saved = new PvaeNet(two, data.frames() * data.melBins(), m);
            Path file = tmp.resolve("copy.params");
            PvaeTrainer.saveParams(saved, file);
            PvaeNet other = new PvaeNet(two.with("pvae", 99, 0, tmp.toString()), data.frames() * data.melBins(), m);
            assertTrue(!java.util.Arrays.equals(saved.parameters().get("di.2.W").toFloatArray(),
                    other.parameters().get("di.2.W").toFloatArray()), "different seeds initialise differently");
            PvaeTrainer.loadParams(other, file);
            assertArrayEquals(saved.parameters().get("di.2.W").toFloatArray(), other.parameters().get("di.2.W").toFloatArray());
        }
    }

    /**
     * Resume is exact: 2 epochs, a stop, and 2 more from the checkpoint give the same weights and the
     * same Adam state (update count, both moments) as 4 uninterrupted epochs; the restored moments are
     * the saved ones. A checkpoint without Adam state (an older one) still resumes, with fresh moments.
     */
    @Test
    void stoppedAndResumedRunEqualsAnUninterruptedOne() throws Exception {
        PvaeData data = data();
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        Map<String, float[]> uninterrupted;
        try (NDManager m = NDManager.newBaseManager()) {
            uninterrupted = values(new PvaeTrainer(config(4).with("pvae", 5, 0, straight.toString()), data, e -> { })
                    .train(m, straight).net());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            new PvaeTrainer(config(2).with("pvae", 5, 0, resumed.toString()), data, e -> { }).train(m, resumed);
        }
        AdamMoments afterTwo = AdamMoments.read(resumed.resolve("checkpoints").resolve(AdamMoments.FILE));
        assertTrue(afterTwo != null && !afterTwo.mean().isEmpty(), "the checkpoint holds Adam's state");
        Map<String, float[]> continued;
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(config(4).with("pvae", 5, 0, resumed.toString()), data, e -> { })
                    .train(m, resumed);
            assertEquals(4, r.history().size());
            continued = values(r.net());
            // the restored moments are the saved ones: an AdamStep restored from the file exports them unchanged
            AdamStep probe = new AdamStep(1e-3f);
            probe.restore(r.net().parameters(), afterTwo);
            assertMomentsEqual(afterTwo, probe.export(r.net().parameters(), afterTwo.trainerStep()));
        }
        assertEquals(uninterrupted.keySet(), continued.keySet());
        uninterrupted.forEach((name, v) -> assertArrayEquals(v, continued.get(name), 0f, name));
        assertMomentsEqual(AdamMoments.read(straight.resolve("checkpoints").resolve(AdamMoments.FILE)),
                AdamMoments.read(resumed.resolve("checkpoints").resolve(AdamMoments.FILE)));

        // an older checkpoint, without Adam's state, still resumes: fresh moments, a different trajectory
        Path old = tmp.resolve("old");
        try (NDManager m = NDManager.newBaseManager()) {
            new PvaeTrainer(config(2).with("pvae", 5, 0, old.toString()), data, e -> { }).train(m, old);
        }
        Files.delete(old.resolve("checkpoints").resolve(AdamMoments.FILE));
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(config(4).with("pvae", 5, 0, old.toString()), data, e -> { }).train(m, old);
            assertEquals(4, r.history().size());
            Map<String, float[]> fresh = values(r.net());
            assertTrue(uninterrupted.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue(), fresh.get(e.getKey()))),
                    "fresh moments change the trajectory: the exactness above depends on restoring them");
        }
    }

    private static void assertMomentsEqual(AdamMoments a, AdamMoments b) {
        assertEquals(a.updates(), b.updates(), "update count");
        assertEquals(a.mean().keySet(), b.mean().keySet());
        a.mean().forEach((k, v) -> assertArrayEquals(v, b.mean().get(k), 0f, "first moment of " + k));
        a.variance().forEach((k, v) -> assertArrayEquals(v, b.variance().get(k), 0f, "second moment of " + k));
    }

    private static Map<String, float[]> values(PvaeNet net) {
        Map<String, float[]> out = new TreeMap<>();
        net.parameters().forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }

    private PvaeConfig config(int epochs) {
        PvaeConfig t = PvaeTestModels.tiny("pvae");
        return new PvaeConfig("pvae", null, 0, null, tmp.toString(), 0, 2, 16, 3, 2, 1.0, 0.5, t.elbo(), t.coherence(),
                t.contrast(), t.unimodal(), epochs, 16, 3e-3, 5, 1, 0);
    }

    private static PvaeData data() {
        Random rnd = new Random(3);
        int frames = 2;
        int mel = 80;
        List<SpokenDigit> speech = new ArrayList<>();
        List<DigitImage> images = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int d = i % 10;
            float[] f = new float[frames * mel];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) (rnd.nextGaussian() * 0.3 + (j % 10 == d ? 2 : 0));
            }
            speech.add(new SpokenDigit(d, "s" + (i % 3), i / 10, f));
            float[] px = new float[784];
            for (int j = 0; j < 784; j++) {
                px[j] = (j / 78 == d ? 0.9f : 0.05f) * rnd.nextFloat();
            }
            images.add(new DigitImage(d, i, px));
        }
        return new PvaeData(speech, speech.subList(0, 20), images, images.subList(0, 20), images,
                Normalizer.identity(frames * mel), frames, mel, true, "test data");
    }
}
