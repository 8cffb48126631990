package io.crossmodal.runtime.onnx;

import java.util.Locale;

/** Where ONNX Runtime executes a graph. */
public enum ExecutionProvider {
    CPU,
    CUDA;

    /** Parses a config value ("cpu", "cuda"; "gpu" is accepted as CUDA), case-insensitively. */
    public static ExecutionProvider parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            default -> throw new IllegalArgumentException("unknown execution provider '" + value + "' (expected cpu or cuda)");
        };
    }
}
