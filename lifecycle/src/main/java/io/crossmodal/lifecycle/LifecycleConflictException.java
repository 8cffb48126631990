package io.crossmodal.lifecycle;

/** A lifecycle operation that cannot be done in the registry's current state (nothing was changed). */
public class LifecycleConflictException extends IllegalStateException {
    public LifecycleConflictException(String message) {
        super(message);
    }
}
