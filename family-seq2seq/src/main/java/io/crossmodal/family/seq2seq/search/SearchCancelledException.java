package io.crossmodal.family.seq2seq.search;

/** A search stopped because its {@link SearchControl} was cancelled; it produced no result. */
public class SearchCancelledException extends RuntimeException {

    public SearchCancelledException() {
        super("search cancelled");
    }

    public SearchCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
