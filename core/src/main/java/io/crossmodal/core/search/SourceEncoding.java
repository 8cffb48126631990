package io.crossmodal.core.search;

import java.util.Objects;

/**
 * Encoder output for one source sequence, without padding: {@code memory} [T][2He], {@code keys}
 * [T][Hd] for its T valid positions, and the bridge's initial decoder state.
 */
public record SourceEncoding(float[][] memory, float[][] keys, float[] initH, float[] initC) {

    public SourceEncoding {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(initH, "initH");
        Objects.requireNonNull(initC, "initC");
        if (memory.length != keys.length) {
            throw new IllegalArgumentException("memory and keys lengths differ: " + memory.length + " vs " + keys.length);
        }
        if (initH.length != initC.length) {
            throw new IllegalArgumentException("initH and initC sizes differ");
        }
    }

    /** Number of valid source positions. */
    public int length() {
        return memory.length;
    }
}
