package io.crossmodal.serving.common;

/**
 * Forwards a caller's cancel to a request that is submitted later, on another thread: a cancel that comes first
 * cancels the request as soon as it is {@link #set}. Used where a unary request is handed to a worker thread before it
 * is queued ({@link UnaryInference}, {@link InferenceQueue#submitOnEventLoop}). Thread-safe.
 */
final class CancelRelay {
    private InferenceQueue.Pending pending;
    private boolean cancelled;

    /** The request, now submitted; cancelled at once if the caller has gone already. */
    void set(InferenceQueue.Pending p) {
        boolean cancelNow;
        synchronized (this) {
            pending = p;
            cancelNow = cancelled;
        }
        if (cancelNow) {
            p.cancel();
        }
    }

    /** The caller went away: cancels the request, now or once it is set. Idempotent. */
    void cancel() {
        InferenceQueue.Pending p;
        synchronized (this) {
            cancelled = true;
            p = pending;
        }
        if (p != null) {
            p.cancel();
        }
    }
}
