package io.crossmodal.runtime.bundle;

/** A model, version or alias that the registry does not have. */
public class ModelNotFoundException extends RuntimeException {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
