package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A skipped non-finite update must not freeze the model: the next finite step trains it. */
class GradientClippingTest {

    private static void backward(Trainer trainer, List<Example> batch) {
        try (var m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
            NDList out = trainer.forward(Seq2SeqBatch.pairs(m, batch.stream().map(Example::src).toList(),
                    batch.stream().map(Example::tgt).toList()));
            gc.backward(Scalars.div(out.get(0), out.get(2).getFloat()));
        }
    }

    @Test
    void aNonFiniteStepIsDiscardedAndTheNextFiniteStepChangesTheParameters() {
        Engine.getInstance().setRandomSeed(5);
        try (Model model = Model.newInstance("t")) {
            Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 8, 16, 16, true));
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            List<Example> batch = ToyData.reversal(16, 1);
            try (Trainer trainer = model.newTrainer(ComponentTrainer.adam(new float[] {0.01f}))) {
                trainer.initialize(new Shape(1, 1));
                // step 1: a real backward pass, then one gradient turns NaN (as an overflow would)
                backward(trainer, batch);
                NDArray g = block.getParameters().get(0).getValue().getArray().getGradient();
                g.set(new NDIndex("0"), Float.NaN);
                String poisoned = block.getParameters().get(0).getKey();
                List<float[]> before = ParamIO.snapshot(block);
                GradientClipping.Clip bad = GradientClipping.clipOrDiscard(block, 5f);
                assertFalse(bad.finite());
                assertEquals(List.of(poisoned), bad.nonFinite(), "names where the NaN is");
                for (var p : block.getParameters()) {
                    float[] z = p.getValue().getArray().getGradient().toFloatArray();
                    for (float v : z) {
                        assertEquals(0f, v, 0f, p.getKey() + ": gradients are assigned zeros, NaN included");
                    }
                }
                // step 2: finite; PyTorch accumulates onto the old gradient, so without the zeros it is NaN again
                backward(trainer, batch);
                GradientClipping.Clip ok = GradientClipping.clipOrDiscard(block, 5f);
                assertTrue(ok.finite(), "the next gradient is finite: " + ok);
                trainer.step();
                List<float[]> after = ParamIO.snapshot(block);
                boolean changed = false;
                for (int i = 0; i < after.size(); i++) {
                    for (int j = 0; j < after.get(i).length; j++) {
                        assertTrue(Float.isFinite(after.get(i)[j]));
                        changed |= after.get(i)[j] != before.get(i)[j];
                    }
                }
                assertTrue(changed, "the finite step after a skipped one trains the model");
            }
        }
    }
}
