package io.crossmodal.runtime.cache;

/**
 * A request needed a model version loaded, but the service's bounds on model loads ({@link LoadLimiter})
 * are reached; the services answer RESOURCE_EXHAUSTED. Nothing was loaded; retrying later can succeed.
 */
public class ModelLoadRejectedException extends RuntimeException {

    public ModelLoadRejectedException(String message) {
        super(message);
    }
}
