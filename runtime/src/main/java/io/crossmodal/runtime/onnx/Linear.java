package io.crossmodal.runtime.onnx;

import java.util.Objects;
import java.util.Random;

/** A PyTorch {@code nn.Linear}: {@code y = x W^T + b}, {@code w} [out, in], {@code b} [out] or null. */
public record Linear(FloatTensor w, FloatTensor b) {

    public Linear {
        Objects.requireNonNull(w, "w");
        if (w.rank() != 2) {
            throw new IllegalArgumentException("Linear weight must be [out, in], got " + w);
        }
        if (b != null) {
            b.requireShape("Linear bias", w.dim(0));
        }
    }

    public int inFeatures() {
        return w.dim(1);
    }

    public int outFeatures() {
        return w.dim(0);
    }

    public boolean hasBias() {
        return b != null;
    }

    /** {@code x W^T + b} for one vector, accumulated in double (reference precision). */
    public float[] apply(float[] x) {
        if (x.length != inFeatures()) {
            throw new IllegalArgumentException("Linear expects " + inFeatures() + " inputs, got " + x.length);
        }
        int in = inFeatures();
        float[] wd = w.data();
        float[] y = new float[outFeatures()];
        for (int o = 0; o < y.length; o++) {
            double s = b == null ? 0 : b.data()[o];
            int base = o * in;
            for (int i = 0; i < in; i++) {
                s += (double) wd[base + i] * x[i];
            }
            y[o] = (float) s;
        }
        return y;
    }

    /** PyTorch-style init: Uniform(-1/sqrt(in), 1/sqrt(in)). */
    public static Linear random(int in, int out, boolean bias, long seed) {
        return random(in, out, bias, new Random(seed));
    }

    public static Linear random(int in, int out, boolean bias, Random rng) {
        float k = (float) (1.0 / Math.sqrt(in));
        FloatTensor w = FloatTensor.uniform(rng, k, out, in);
        return new Linear(w, bias ? FloatTensor.uniform(rng, k, out) : null);
    }
}
