package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.progress.ProgressEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.crossmodal.trainer.train.AdamMoments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqvaeTrainerTest {

    @TempDir
    Path dir;

    @Test
    void trainsWritesCheckpointsCurvesAndProgressAndResumes() throws Exception {
        VqvaeData data = VqvaeTestModels.syntheticData();
        for (String[] v : new String[][] {{"vq", "gru"}, {"vae", "lstm"}, {"ae", "gru"}}) {
            VqvaeConfig cfg = VqvaeTestModels.tiny(v[0], v[1], true, v[0].equals("vq"), 2);
            Path run = dir.resolve(v[0]);
            List<ProgressEvent> events = new ArrayList<>();
            long steps;
            try (NDManager m = NDManager.newBaseManager()) {
                VqvaeTrainer.Result r = new VqvaeTrainer(cfg, data, events::add, v[0]).train(m, run);
                assertEquals(2, r.history().size());
                steps = r.history().get(1).step();
                assertTrue(Double.isFinite(r.history().get(1).trainLoss()), v[0]);
                assertTrue(Double.isFinite(r.history().get(1).dev()));
            }
            assertTrue(Files.size(run.resolve("learning-curves.png")) > 1000);
            assertTrue(Files.exists(run.resolve("checkpoints/last.params")));
            AdamMoments adam = AdamMoments.read(run.resolve("checkpoints").resolve(AdamMoments.FILE));
            assertTrue(adam != null && !adam.mean().isEmpty() && adam.updates() > 0, "the checkpoint holds Adam's state");
            assertEquals(steps, adam.trainerStep(), "Adam's state belongs to the checkpoint's step");
            assertTrue(events.stream().anyMatch(e -> e.phase().equals("train") && Double.isFinite(e.etaSeconds())), "ETA reported");
            assertEquals("done", events.get(events.size() - 1).phase());
            List<ProgressEvent> again = new ArrayList<>();
            try (NDManager m = NDManager.newBaseManager()) {
                new VqvaeTrainer(cfg.withEpochs(3), data, again::add, v[0]).train(m, run);
            }
            assertEquals("resume", again.get(0).phase(), "resumes after the finished epochs");
            assertEquals(3, again.stream().filter(e -> e.phase().equals("eval")).findFirst().orElseThrow().epoch());
        }
    }
}
