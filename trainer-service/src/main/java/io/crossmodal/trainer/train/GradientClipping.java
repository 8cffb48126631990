package io.crossmodal.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/** Global-norm gradient clipping over one block's parameters (shared by every trainer). */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Scales all gradients of the block so their global L2 norm is at most maxNorm; returns the norm
     * before clipping (re-summed in float64 when float32 overflows, so huge but finite gradients are
     * scaled, not lost). A
     * non-finite norm means a NaN or infinite gradient, which scaling cannot fix: the gradients are
     * left as they are and callers must skip the optimizer step, so one bad batch cannot write NaN
     * into the parameters.
     */
    public static double clipGlobalNorm(Block block, float maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            grads.add(p.getValue().getArray().getGradient());
        }
        double sq = sumOfSquares(grads, false);
        if (!Double.isFinite(sq)) {
            // a float32 sum of squares overflows for gradients above ~1e19: tell overflow from NaN/Inf in float64
            sq = sumOfSquares(grads, true);
        }
        double norm = Math.sqrt(sq);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            grads.forEach(g -> g.muli(scale));
        }
        grads.forEach(NDArray::close);
        return norm;
    }

    private static double sumOfSquares(List<NDArray> grads, boolean wide) {
        double sq = 0;
        for (NDArray g : grads) {
            // Intermediates attach to the parameter's (long-lived) manager: close them or they leak every step.
            if (wide) {
                try (NDArray w = g.toType(ai.djl.ndarray.types.DataType.FLOAT64, true); NDArray squared = w.square();
                        NDArray sum = squared.sum()) {
                    sq += sum.getDouble();
                }
            } else {
                try (NDArray squared = g.square(); NDArray sum = squared.sum()) {
                    sq += sum.getFloat();
                }
            }
        }
        return sq;
    }
}
