package io.crossmodal.trainer.family.vqvae.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Time jitter (seed 002): during training each latent is replaced by its left neighbour with
 * probability p and by its right neighbour with probability p (a latent at an edge has no
 * neighbour on that side and keeps its own value then). Applied as a batch of one-hot selection
 * matrices, so the gradient reaches the latent that was actually used.
 */
public final class Jitter {

    private Jitter() {
    }

    /** For each of {@code length} positions, the position whose latent it sees. */
    public static int[] indices(int length, double p, Random rnd) {
        int[] idx = new int[length];
        for (int t = 0; t < length; t++) {
            double u = rnd.nextDouble();
            if (u < p) {
                idx[t] = t > 0 ? t - 1 : t;
            } else if (u < 2 * p) {
                idx[t] = t < length - 1 ? t + 1 : t;
            } else {
                idx[t] = t;
            }
        }
        return idx;
    }

    /** z [B, L, D] with row t of sequence b taken from row {@code idx[b][t]}. */
    public static NDArray apply(NDArray z, int[][] idx, NDManager m) {
        int b = idx.length;
        int l = idx[0].length;
        float[] sel = new float[b * l * l];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < l; t++) {
                sel[(i * l + t) * l + idx[i][t]] = 1f;
            }
        }
        return m.create(sel, new Shape(b, l, l)).matMul(z);
    }
}
