package io.crossmodal.runtime.cache;

/**
 * A bundle that exists and passed verification but cannot be served by this loader: the component
 * is missing or of another type, or ONNX Runtime could not open its graphs. Services map it to
 * FAILED_PRECONDITION, like a corrupt bundle.
 */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
