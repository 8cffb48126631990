package io.crossmodal.runtime.cache;

/** A resolved model version; bundles are immutable once written, so this identifies what is loaded. */
public record ModelKey(String model, int version) {

    @Override
    public String toString() {
        return model + "/" + version;
    }
}
