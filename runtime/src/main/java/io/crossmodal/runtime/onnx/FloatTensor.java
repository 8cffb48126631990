package io.crossmodal.runtime.onnx;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A dense row-major float tensor: the exchange format between the trainer (which exports plain
 * arrays) and the ONNX graph builders / Java reference. Shape and data length are checked once
 * here so that every consumer can index without re-validating.
 */
public record FloatTensor(float[] data, int[] shape) {

    public FloatTensor {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape "
                    + Arrays.toString(shape) + " (" + n + " elements)");
        }
        shape = shape.clone();
    }

    public static FloatTensor of(float[] data, int... shape) {
        return new FloatTensor(data, shape);
    }

    /** Builds a 2-D tensor from a (rectangular) matrix. */
    public static FloatTensor of(float[][] rows) {
        int cols = rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("ragged matrix at row " + r);
            }
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return new FloatTensor(flat, new int[] {rows.length, cols});
    }

    public static FloatTensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= Math.max(d, 1);
        }
        return new FloatTensor(new float[(int) n], shape);
    }

    /** Uniform(-scale, scale) entries; deterministic for a given generator state. */
    public static FloatTensor uniform(Random rng, float scale, int... shape) {
        FloatTensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (rng.nextFloat() * 2f - 1f) * scale;
        }
        return t;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    /** Throws unless this tensor has exactly the expected shape; {@code what} names it in the message. */
    public FloatTensor requireShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + " must have shape " + Arrays.toString(expected)
                    + " but has " + Arrays.toString(shape));
        }
        return this;
    }

    /** Copy of row {@code r} of a 2-D tensor. */
    public float[] row(int r) {
        if (rank() != 2) {
            throw new IllegalStateException("row() needs a 2-D tensor, shape " + Arrays.toString(shape));
        }
        return Arrays.copyOfRange(data, r * shape[1], (r + 1) * shape[1]);
    }

    /** Element (r, c) of a 2-D tensor, without a copy. */
    public float get(int r, int c) {
        return data[r * shape[1] + c];
    }

    /** Transpose of a 2-D tensor. */
    public FloatTensor transpose() {
        if (rank() != 2) {
            throw new IllegalStateException("transpose() needs a 2-D tensor, shape " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatTensor(out, new int[] {cols, rows});
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
