package io.crossmodal.family.seq2seq.search;

import java.util.Objects;

/**
 * Encoder output for one source sequence, without padding: {@code memory} [T][2He], {@code keys}
 * [T][Hd] for its T valid positions, and the bridge's initial decoder state (the cell state may be
 * longer than Hd: a location-aware decoder appends its attention focus).
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
        // the cell state may carry extra model state after the LSTM cell (the attention focus)
        if (initC.length < initH.length) {
            throw new IllegalArgumentException("initC (" + initC.length + ") is smaller than initH (" + initH.length + ")");
        }
    }

    /** Number of valid source positions. */
    public int length() {
        return memory.length;
    }
}
