package io.crossmodal.runtime.onnx;

/** An ONNX Runtime failure (session creation or run), unchecked so callers above need not know ORT. */
public class InferenceException extends RuntimeException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
