package io.crossmodal.features;

/**
 * Input that cannot be turned into features (unsupported sample rate, NaN samples, wrong image
 * size, ...). The message says what is wrong in words a caller can act on; services map it to
 * {@code INVALID_ARGUMENT}.
 */
public final class FeatureInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FeatureInputException(String message) {
        super(message);
    }

    public FeatureInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
