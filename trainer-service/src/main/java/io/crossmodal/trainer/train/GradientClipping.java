package io.crossmodal.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/** Global-norm gradient clipping over one block's parameters (shared by every trainer). */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * What {@link #clipOrDiscard} did: the global norm before clipping and, when it was not finite,
     * the names of the parameters whose gradient held a NaN or an infinity (in the block's
     * parameter order), so a log says where the non-finite values entered the backward pass.
     */
    public record Clip(double norm, List<String> nonFinite) {
        public boolean finite() {
            return Double.isFinite(norm);
        }
    }

    /**
     * Scales all gradients of the block so their global L2 norm is at most maxNorm; returns the norm
     * before clipping (re-summed in float64 when float32 overflows, so huge but finite gradients are
     * scaled, not lost). A non-finite norm means a NaN or infinite gradient, which scaling cannot
     * fix: the gradients are left as they are and callers must skip the optimizer step.
     * Prefer {@link #clipOrDiscard}, which also clears them.
     */
    public static double clipGlobalNorm(Block block, float maxNorm) {
        List<NDArray> grads = gradients(block);
        try {
            return clip(grads, maxNorm);
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /**
     * As {@link #clipGlobalNorm}, but a non-finite gradient is discarded: every gradient of the block
     * is overwritten with zeros, so the caller can skip the update and the next backward pass starts
     * clean. Without this the NaN stays in the gradient buffers (PyTorch accumulates the next
     * gradients onto them, and DJL clears them only inside an optimizer update, by {@code g - g},
     * which is NaN again), every later norm is NaN, and the component silently stops training.
     * Zeros are assigned, not computed: {@code NaN * 0} and {@code x - x} stay NaN.
     */
    public static Clip clipOrDiscard(Block block, float maxNorm) {
        List<NDArray> grads = gradients(block);
        try {
            double norm = clip(grads, maxNorm);
            if (Double.isFinite(norm)) {
                return new Clip(norm, List.of());
            }
            List<String> bad = new ArrayList<>();
            int i = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (!isFinite(grads.get(i++))) {
                    bad.add(p.getKey());
                }
            }
            grads.forEach(GradientClipping::assignZeros);
            return new Clip(norm, List.copyOf(bad));
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /** Overwrites every element of {@code g} with 0 in place (an assignment, so NaN and Inf go too). */
    static void assignZeros(NDArray g) {
        g.set(new NDIndex("..."), 0f);
    }

    private static List<NDArray> gradients(Block block) {
        List<NDArray> grads = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            grads.add(p.getValue().getArray().getGradient());
        }
        return grads;
    }

    private static double clip(List<NDArray> grads, float maxNorm) {
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
        return norm;
    }

    private static boolean isFinite(NDArray g) {
        try (NDArray w = g.toType(DataType.FLOAT64, true); NDArray squared = w.square(); NDArray sum = squared.sum()) {
            return Double.isFinite(sum.getDouble());
        }
    }

    private static double sumOfSquares(List<NDArray> grads, boolean wide) {
        double sq = 0;
        for (NDArray g : grads) {
            // Intermediates attach to the parameter's (long-lived) manager: close them or they leak every step.
            if (wide) {
                try (NDArray w = g.toType(DataType.FLOAT64, true); NDArray squared = w.square();
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
