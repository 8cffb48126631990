package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import io.crossmodal.trainer.progress.ProgressEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentTrainerTest {
    private static ComponentTrainer.Result train(Path ckpt, int epochs, List<ProgressEvent> events, boolean cancel) throws Exception {
        try (Model model = Model.newInstance("t")) {
            Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 8, 16, 16));
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            int[] steps = {0};
            ComponentTrainer trainer = new ComponentTrainer(events::add, () -> cancel && ++steps[0] > 3);
            TrainSettings s = new TrainSettings(16, 0.01f, epochs, 0, 5, 5f, 0.5f, 1);
            double[] dev = {1.0};
            return trainer.train("toy", model, ToyData.reversal(64, 1),
                    (m, b) -> Seq2SeqBatch.pairs(m, b.stream().map(Example::src).toList(), b.stream().map(Example::tgt).toList()),
                    true, s, () -> dev[0] -= 0.1, "per", ckpt);
        }
    }

    /** A run stopped after epoch 1 continues at epoch 2 from its checkpoint, not from scratch. */
    @Test
    void resumesFromTheLastCheckpoint(@TempDir Path dir) throws Exception {
        List<ProgressEvent> first = new ArrayList<>();
        ComponentTrainer.Result r1 = train(dir, 1, first, false);
        assertEquals(1, r1.history().size());
        assertEquals(4, r1.steps(), "64 examples / batch 16");
        assertTrue(Files.exists(dir.resolve("last.params")) && Files.exists(dir.resolve("best.params")));

        List<ProgressEvent> second = new ArrayList<>();
        ComponentTrainer.Result r2 = train(dir, 3, second, false);
        assertEquals("resume", second.get(0).phase());
        assertEquals(3, r2.history().size(), "epoch 1 from the checkpoint + epochs 2 and 3");
        assertEquals(12, r2.steps());
        assertTrue(second.stream().noneMatch(e -> e.phase().equals("train") && e.epoch() == 1), "epoch 1 not repeated");
        assertTrue(first.stream().anyMatch(e -> e.etaSeconds() >= 0 && e.phase().equals("train")), "ETA reported");
    }

    @Test
    void cancellationStopsBetweenSteps(@TempDir Path dir) {
        assertThrows(ComponentTrainer.CancelledException.class, () -> train(dir, 5, new ArrayList<>(), true));
    }
}
