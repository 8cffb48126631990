package io.crossmodal.runtime.bundle;

/** A bundle that exists but must not be used: bad manifest, missing file, checksum mismatch. */
public class BundleCorruptException extends RuntimeException {

    public BundleCorruptException(String message) {
        super(message);
    }

    public BundleCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
