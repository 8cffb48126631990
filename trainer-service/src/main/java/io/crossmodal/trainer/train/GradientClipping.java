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
     * before clipping. A non-finite norm (an overflowing or NaN gradient, which scaling cannot fix)
     * zeroes every gradient instead, so one bad batch cannot write NaN into the parameters; callers
     * should then skip the optimizer step.
     */
    public static double clipGlobalNorm(Block block, float maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        double sq = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray g = p.getValue().getArray().getGradient();
            grads.add(g);
            // Intermediates attach to the parameter's (long-lived) manager: close them or they leak every step.
            try (NDArray squared = g.square(); NDArray sum = squared.sum()) {
                sq += sum.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            grads.forEach(g -> g.set(java.nio.FloatBuffer.wrap(new float[Math.toIntExact(g.size())])));
        } else if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            grads.forEach(g -> g.muli(scale));
        }
        grads.forEach(NDArray::close);
        return norm;
    }
}
