package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The project's Adam updates exactly as DJL's built-in Adam does, through a DJL Trainer, learning-rate changes included. */
class ResumableAdamTest {

    private static List<float[]> run(boolean djl, List<float[]> init) {
        float[] lr = {0.01f};
        DefaultTrainingConfig cfg = djl
                ? new DefaultTrainingConfig(Loss.l2Loss())
                        .optOptimizer(Optimizer.adam().optLearningRateTracker((Tracker) n -> lr[0]).build())
                : ComponentTrainer.adam(lr);
        try (Model model = Model.newInstance("t")) {
            Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 8, 16, 16));
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            ParamIO.restore(block, init);
            List<Example> data = ToyData.reversal(64, 2);
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(1, 1));
                for (int step = 0; step < 12; step++) {
                    List<Example> batch = data.subList((step % 4) * 16, (step % 4) * 16 + 16);
                    try (NDManager m = trainer.getManager().newSubManager();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(Seq2SeqBatch.pairs(m, batch.stream().map(Example::src).toList(),
                                batch.stream().map(Example::tgt).toList()));
                        gc.backward(Scalars.div(out.get(0), out.get(2).getFloat()));
                    }
                    trainer.step();
                    if (step == 5) {
                        lr[0] = 0.003f; // the decay ComponentTrainer applies after a bad epoch
                    }
                }
            }
            return ParamIO.snapshot(block);
        }
    }

    @Test
    void updatesExactlyAsDjlAdam() {
        List<float[]> init;
        try (Model model = Model.newInstance("init")) {
            Engine.getInstance().setRandomSeed(11);
            Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 8, 16, 16));
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            init = ParamIO.snapshot(block);
        }
        List<float[]> djl = run(true, init);
        List<float[]> ours = run(false, init);
        assertEquals(djl.size(), ours.size());
        boolean moved = false;
        for (int i = 0; i < djl.size(); i++) {
            assertArrayEquals(djl.get(i), ours.get(i), 0f, "parameter " + i);
            moved |= !java.util.Arrays.equals(init.get(i), ours.get(i));
        }
        assertTrue(moved, "training moved the weights");
    }
}
