package io.crossmodal.runtime.control;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets one thread stop a model run (a search, a batch) that runs on another. Searches check {@link #checkCancelled()} before
 * every encoder and decoder step, and engines may also abort a step already running: the ONNX
 * Runtime subclass ({@code io.crossmodal.runtime.onnx.OrtRunControl}) sets the terminate flag of the
 * {@code RunOptions} its runs use, which {@link StepModel} implementations obtain with
 * {@link #unwrap(Class)}. Engine-independent otherwise, so the same search code serves ONNX Runtime
 * and DJL.
 */
public class RunControl {

    /** A control that is never cancelled, for callers that do not need one ({@link #cancel()} is refused). */
    public static final RunControl NONE = new RunControl() {
        @Override
        public boolean cancel() {
            throw new UnsupportedOperationException("RunControl.NONE cannot be cancelled");
        }
    };

    private final AtomicBoolean cancelled = new AtomicBoolean();

    /**
     * Cancels the search (idempotent, callable from any thread): the next check fails with
     * {@link RunCancelledException} and {@link #onCancel()} runs once.
     *
     * @return true if this call cancelled it, false if it was already cancelled
     */
    public boolean cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return false;
        }
        onCancel();
        return true;
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Throws {@link RunCancelledException} once {@link #cancel()} was called. */
    public void checkCancelled() {
        if (cancelled.get()) {
            throw new RunCancelledException();
        }
    }

    /** Hook for engines: called once, on the cancelling thread, right after the flag is set. */
    protected void onCancel() {
    }

    /** An engine-specific object this control carries (e.g. ONNX Runtime run options), or null. */
    public <T> T unwrap(Class<T> type) {
        return null;
    }
}
