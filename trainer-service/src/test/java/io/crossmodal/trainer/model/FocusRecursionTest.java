package io.crossmodal.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Reproduction of the non-finite-gradient hypothesis of issue 14 (docs/NOISY_CHANNEL.md): through the
 * location-aware attention's focus recursion {@code p_t = Σ_s a_t(s) s}, the derivative of a focus
 * with respect to the previous one is {@code 2κ · Var_{a_t}(s)}, and the gradient of the loss with
 * respect to δ (and κ, and every earlier step) is a product of these factors. Where content scores
 * and window disagree step after step (equal content on two positions d apart on either side of the
 * window centre: a split attention, factor 2κd²), the product of 40 steps overflows float32 while
 * the forward pass stays finite and exact. Stopping the gradient through the previous focus keeps
 * the same forward values and bounds the gradient.
 */
class FocusRecursionTest {
    private static final int T = 120;
    private static final int U = 40;
    private static final float KAPPA = 0.3f; // the initial sharpness
    private static final float DELTA = 1f; // the initial shift
    private static final int D = 4; // half the distance between the two content peaks
    private static final float P0 = 10f;

    /** Content scores [1,U,T]: 0 at c_i ± D with c_i = P0 + DELTA (i + 1), every other position masked. */
    private static NDArray splitContent(NDManager m) {
        float[] c = new float[U * T];
        java.util.Arrays.fill(c, -1e9f);
        for (int i = 0; i < U; i++) {
            int centre = (int) (P0 + DELTA * (i + 1));
            c[i * T + centre - D] = 0f;
            c[i * T + centre + D] = 0f;
        }
        return m.create(c, new Shape(1, U, T));
    }

    private record Run(float[] attention, float focus, float shiftGrad, float sharpGrad) {}

    private static Run run(boolean stop) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray shift = m.create(new float[] {DELTA});
            NDArray sharp = m.create(new float[] {KAPPA});
            shift.setRequiresGradient(true);
            sharp.setRequiresGradient(true);
            NDList out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = Seq2SeqBlock.locationAttention(splitContent(m), m.create(new float[] {P0}, new Shape(1, 1)), shift,
                        sharp, stop);
                gc.backward(out.get(1).sum());
            }
            return new Run(out.get(0).toFloatArray(), out.get(1).toFloatArray()[0], shift.getGradient().toFloatArray()[0],
                    sharp.getGradient().toFloatArray()[0]);
        }
    }

    @Test
    void theFocusFactorCompoundsPastFloat32AndStoppingItsGradientBoundsIt() {
        Run full = run(false);
        Run stopped = run(true);
        // the forward pass: exactly split attention, the focus walks one position per step, identical in both
        assertEquals(P0 + DELTA * U, full.focus(), 0f);
        assertArrayEquals(full.attention(), stopped.attention(), 0f, "stopping the gradient changes no forward value");
        int centre = (int) (P0 + DELTA);
        assertEquals(0.5f, full.attention()[centre - D], 0f);
        assertEquals(0.5f, full.attention()[centre + D], 0f);

        // the factor per step is 2κ Var = 2 * 0.3 * 16 = 9.6 and 9.6^40 ≈ 2e39 > Float.MAX_VALUE (3.4e38)
        double factor = 2 * KAPPA * D * D;
        assertTrue(Math.pow(factor, U) > Float.MAX_VALUE);
        assertFalse(Float.isFinite(full.shiftGrad()), "full recursion: dp_U/dδ = Σ_t Π factors overflows, got "
                + full.shiftGrad());
        // stopped: only the last step's direct term, dp_U/dδ = 2κ Var = 9.6; dp_U/dκ = 0 by symmetry
        assertEquals(factor, stopped.shiftGrad(), 1e-3);
        assertTrue(Float.isFinite(stopped.sharpGrad()));
    }

    @Test
    void theOneStepFactorIsTwoKappaTimesTheAttentionVariance() {
        // two steps, no split: a generic attention; dp_2/dp_1 by autograd against 2κ Var_a2(s)
        try (NDManager m = NDManager.newBaseManager()) {
            float[] c = {0.3f, -1.2f, 2.0f, 0.1f, -0.5f, 1.1f};
            NDArray content = m.create(new float[12], new Shape(1, 2, 6));
            content.set(new ai.djl.ndarray.index.NDIndex("0, 1, :"), m.create(c));
            NDArray p0 = m.create(new float[] {0.7f}, new Shape(1, 1));
            NDArray shift = m.create(new float[] {1f});
            NDArray sharp = m.create(new float[] {0.8f});
            // step 1 alone gives p_1; then step 2 from p_1 as a leaf
            NDArray p1 = Seq2SeqBlock.locationAttention(content.get(":, :1, :"), p0, shift, sharp, false).get(1);
            NDArray leaf = m.create(p1.toFloatArray(), new Shape(1, 1));
            leaf.setRequiresGradient(true);
            NDList out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = Seq2SeqBlock.locationAttention(content.get(":, 1:, :"), leaf, shift, sharp, false);
                gc.backward(out.get(1).sum());
            }
            float[] a = out.get(0).toFloatArray();
            double mean = 0;
            double sq = 0;
            for (int s = 0; s < a.length; s++) {
                mean += a[s] * s;
                sq += a[s] * (double) s * s;
            }
            double var = sq - mean * mean;
            assertEquals(2 * 0.8 * var, leaf.getGradient().toFloatArray()[0], 1e-4);
        }
    }
}
