package io.crossmodal.runtime.control;

/** A search stopped because its {@link RunControl} was cancelled; it produced no result. */
public class RunCancelledException extends RuntimeException {

    public RunCancelledException() {
        super("search cancelled");
    }

    public RunCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
