package io.crossmodal.family.pvae.model;

/**
 * Per-feature standardisation {@code (x - mean) / std} learnt on the training set. It travels
 * inside the ONNX graphs (encoders standardise, the speech decoder un-standardises), so a client
 * always exchanges raw log-mel values.
 */
public record Normalizer(float[] mean, float[] std) {

    public Normalizer {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and std differ in length");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + s);
            }
        }
    }

    public int size() {
        return mean.length;
    }

    public static Normalizer identity(int n) {
        float[] one = new float[n];
        java.util.Arrays.fill(one, 1f);
        return new Normalizer(new float[n], one);
    }
}
