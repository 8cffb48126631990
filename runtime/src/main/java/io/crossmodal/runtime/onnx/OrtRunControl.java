package io.crossmodal.runtime.onnx;


import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.crossmodal.runtime.control.RunControl;
import org.jboss.logging.Logger;

/**
 * A {@link RunControl} for searches over ONNX Runtime: owns the {@link OrtSession.RunOptions} that
 * {@link OrtSeq2Seq} passes to every encoder and decoder-step run of the search, and on
 * {@link #cancel()} sets their terminate flag, so a run already executing on another thread stops
 * early (ONNX Runtime checks the flag between kernels) instead of finishing a result nobody wants.
 *
 * <p>Use one instance per search and close it when the search has returned (try-with-resources):
 * that frees the native run options. Cancelling and closing are synchronized, so a cancel racing the
 * close never touches freed memory; a cancel after close only sets the flag.
 */
public final class OrtRunControl extends RunControl implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OrtRunControl.class);

    private final OrtSession.RunOptions options;
    private boolean closed;

    public OrtRunControl() {
        OrtRuntime.environment(); // loads the native library before the first RunOptions
        try {
            this.options = new OrtSession.RunOptions();
        } catch (OrtException e) {
            throw new InferenceException("cannot create ONNX Runtime run options: " + e.getMessage(), e);
        }
    }

    @Override
    protected void onCancel() {
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                options.setTerminate(true);
            } catch (OrtException e) {
                // the search still stops at its next step check
                LOG.warnf("could not set the ONNX Runtime terminate flag: %s", e.getMessage());
            }
        }
    }

    /** The run options while open ({@code type} = {@link OrtSession.RunOptions}), else null. */
    @Override
    public synchronized <T> T unwrap(Class<T> type) {
        return !closed && type == OrtSession.RunOptions.class ? type.cast(options) : null;
    }

    /** Whether {@link #close()} already freed the native run options. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Frees the native run options; idempotent. Call only once no run uses them any more. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            options.close();
        }
    }
}
