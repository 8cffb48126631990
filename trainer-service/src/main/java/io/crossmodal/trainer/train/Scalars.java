package io.crossmodal.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplying or dividing by a Java number inside a graph that a backward pass will
 * differentiate. Use these, not DJL's {@code NDArray.mul(Number)} / {@code div(Number)}, on any
 * array that needs a gradient.
 *
 * <p>Why: on CPU, DJL's PyTorch engine (0.36) implements {@code x.mul(3f)} as
 * {@code try (NDArray c = manager.create(3f)) { return x.mul(c); }}. {@code create} copies the
 * number into a Java direct {@code ByteBuffer} and makes a libtorch tensor that points into that
 * buffer ({@code torch::from_blob}, no copy); only the Java array's {@code dataRef} field keeps the
 * buffer alive. Autograd keeps the tensor for the backward pass (the gradient of {@code x * c} is
 * {@code g * c}, of {@code x / c} is {@code g / c}), but the {@code close()} drops {@code dataRef},
 * so from then on the garbage collector may free the buffer. When it does before
 * {@code backward()}, the backward pass reads freed memory, and the gradients come out as zeros,
 * NaN or 1e23 (docs/NOISY_CHANNEL.md, "The garbage collector and the backward pass"). A scalar made
 * by {@code NDManager.full} lives in libtorch's own memory, kept by the tensor's reference count
 * for as long as autograd needs it, whatever the collector does; closing the Java wrapper right
 * away is then safe.
 *
 * <p>The values equal those of DJL's overloads, for {@code float} and {@code double} factors
 * ({@code ScalarsTest}).
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * c}, safe to differentiate whenever the collector runs. */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.mul(s);
        }
    }

    /** {@code x / c}, safe to differentiate whenever the collector runs. */
    public static NDArray div(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.div(s);
        }
    }

    /** A 0-d array of {@code x}'s type holding {@code c}, in libtorch's memory (not a Java buffer). */
    private static NDArray scalar(NDArray x, double c) {
        return x.getManager().full(new Shape(), (float) c, x.getDataType());
    }
}
