package io.crossmodal.runtime.family;

/**
 * A request the model cannot take (unknown or reserved symbol, empty or over-long input, bad
 * search options); services map it to INVALID_ARGUMENT. Index and position are -1 when the problem
 * is not tied to one symbol.
 */
public class InvalidInputException extends RuntimeException {

    private final int inputIndex;
    private final int position;
    private final String symbol;

    public InvalidInputException(String message, int inputIndex, int position, String symbol) {
        super(message);
        this.inputIndex = inputIndex;
        this.position = position;
        this.symbol = symbol;
    }

    public InvalidInputException(String message) {
        this(message, -1, -1, null);
    }

    /** Which input of the batch (0-based), or -1. */
    public int inputIndex() {
        return inputIndex;
    }

    /** 0-based position of the offending symbol in its input, or -1. */
    public int position() {
        return position;
    }

    /** The offending symbol, or null. */
    public String symbol() {
        return symbol;
    }
}
