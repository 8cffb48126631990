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
     * before clipping (summed in float64, so huge but finite gradients are scaled, not lost). A
     * non-finite norm means a NaN or infinite gradient, which scaling cannot fix: the gradients are
     * left as they are and callers must skip the optimizer step, so one bad batch cannot write NaN
     * into the parameters.
     */
    public static double clipGlobalNorm(Block block, float maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        double sq = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray g = p.getValue().getArray().getGradient();
            grads.add(g);
            // Intermediates attach to the parameter's (long-lived) manager: close them or they leak every step.
            // in float64: a float32 sum of squares overflows to Infinity for gradients above ~1e19
            try (NDArray wide = g.toType(ai.djl.ndarray.types.DataType.FLOAT64, true); NDArray squared = wide.square();
                    NDArray sum = squared.sum()) {
                sq += sum.getDouble();
            }
        }
        double norm = Math.sqrt(sq);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            grads.forEach(g -> g.muli(scale));
        }
        grads.forEach(NDArray::close);
        return norm;
    }
}
