package io.crossmodal.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.crossmodal.trainer.train.Example;
import io.crossmodal.trainer.train.Scalars;
import io.crossmodal.trainer.train.ToyData;
import java.util.List;
import org.junit.jupiter.api.Test;

class Seq2SeqBlockTest {

    /** A reversal task needs attention; the loss must fall far below its starting value. */
    @Test
    void learnsToReverseShortSequences() {
        List<Example> data = ToyData.reversal(64, 7);
        List<long[]> src = data.stream().map(Example::src).toList();
        List<long[]> tgt = data.stream().map(Example::tgt).toList();
        Seq2SeqSpec spec = new Seq2SeqSpec(10, 10, 16, 32, 32);
        try (Model model = Model.newInstance("s2s")) {
            Seq2SeqBlock block = new Seq2SeqBlock(spec);
            model.setBlock(block);
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(cfg)) {
                block.initializeAll(model.getNDManager());
                trainer.initialize(new ai.djl.ndarray.types.Shape(1, 1));
                float first = Float.NaN;
                float last = Float.NaN;
                for (int step = 0; step < 150; step++) {
                    try (NDManager m = trainer.getManager().newSubManager();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(Seq2SeqBatch.pairs(m, src, tgt));
                        float tokens = out.get(2).getFloat();
                        var loss = Scalars.div(out.get(0), tokens);
                        gc.backward(loss);
                        float v = loss.getFloat();
                        if (step == 0) {
                            first = v;
                        }
                        last = v;
                    }
                    trainer.step();
                }
                assertEquals(Math.log(10), first, 0.6, "initial loss near uniform");
                assertTrue(last < 0.3f, "loss " + first + " -> " + last);
            }
        }
    }
}
