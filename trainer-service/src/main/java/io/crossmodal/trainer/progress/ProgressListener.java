package io.crossmodal.trainer.progress;

/** Receives training progress; implementations must be cheap (called on the training thread). */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(ProgressEvent event);

    static ProgressListener none() {
        return e -> {};
    }

    default ProgressListener and(ProgressListener other) {
        return e -> {
            onProgress(e);
            other.onProgress(e);
        };
    }
}
