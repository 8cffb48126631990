package io.crossmodal.runtime.onnx;

import java.util.Objects;

/**
 * Session settings chosen by configuration. Thread counts of 0 leave ONNX Runtime's defaults;
 * inter-op threads only matter for graphs with parallel branches. {@code cudaMemoryLimitBytes}
 * caps the CUDA provider's memory arena (ONNX Runtime's {@code gpu_mem_limit}); 0 = no cap.
 * {@code spinning}: null leaves ONNX Runtime's default (its pool threads spin while waiting for work),
 * false / true set {@code session.intra_op.allow_spinning} and {@code session.inter_op.allow_spinning}.
 */
public record OrtOptions(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads, int interOpThreads,
        long cudaMemoryLimitBytes, Boolean spinning) {

    public OrtOptions(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads, int interOpThreads,
            long cudaMemoryLimitBytes) {
        this(provider, cudaDeviceId, intraOpThreads, interOpThreads, cudaMemoryLimitBytes, null);
    }

    public OrtOptions {
        Objects.requireNonNull(provider, "provider");
        if (cudaDeviceId < 0 || intraOpThreads < 0 || interOpThreads < 0 || cudaMemoryLimitBytes < 0) {
            throw new IllegalArgumentException("device id, thread counts and CUDA memory limit must be >= 0");
        }
    }

    public OrtOptions(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads, int interOpThreads) {
        this(provider, cudaDeviceId, intraOpThreads, interOpThreads, 0);
    }

    public static OrtOptions cpu() {
        return new OrtOptions(ExecutionProvider.CPU, 0, 0, 0);
    }

    public static OrtOptions cuda(int deviceId) {
        return new OrtOptions(ExecutionProvider.CUDA, deviceId, 0, 0);
    }

    public OrtOptions withThreads(int intraOp, int interOp) {
        return new OrtOptions(provider, cudaDeviceId, intraOp, interOp, cudaMemoryLimitBytes, spinning);
    }

    /** The same options with ONNX Runtime's pool threads spinning or not (null: ONNX Runtime's default). */
    public OrtOptions withSpinning(Boolean spin) {
        return new OrtOptions(provider, cudaDeviceId, intraOpThreads, interOpThreads, cudaMemoryLimitBytes, spin);
    }
}
