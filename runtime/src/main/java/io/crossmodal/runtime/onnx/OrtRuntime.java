package io.crossmodal.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.EnumSet;

/**
 * The JVM-wide ONNX Runtime environment. ORT allows one environment per process; every session
 * in this code base is created against it, through a {@link SessionFactory}.
 */
public final class OrtRuntime {

    private OrtRuntime() {
    }

    public static OrtEnvironment environment() {
        return Holder.ENV;
    }

    /** Providers compiled into the ONNX Runtime native library on the class path. */
    public static EnumSet<OrtProvider> availableProviders() {
        return OrtEnvironment.getAvailableProviders();
    }

    public static boolean cudaAvailable() {
        return availableProviders().contains(OrtProvider.CUDA);
    }

    /** Lazy holder: the native library is loaded on first use, not when this class is touched. */
    private static final class Holder {
        static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    }
}
