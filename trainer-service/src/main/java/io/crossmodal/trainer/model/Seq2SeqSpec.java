package io.crossmodal.trainer.model;

/**
 * Sizes of one attention sequence-to-sequence model (see docs/DESIGN.md), and whether its
 * attention has the monotonic location term ({@code locationAttention}, docs/NOISY_CHANNEL.md).
 */
public record Seq2SeqSpec(int srcVocab, int tgtVocab, int embed, int encHidden, int decHidden, boolean locationAttention) {
    public Seq2SeqSpec {
        if (srcVocab < 5 || tgtVocab < 5 || embed < 1 || encHidden < 1 || decHidden < 1) {
            throw new IllegalArgumentException("invalid seq2seq sizes: " + this);
        }
    }

    /** Plain Luong attention. */
    public Seq2SeqSpec(int srcVocab, int tgtVocab, int embed, int encHidden, int decHidden) {
        this(srcVocab, tgtVocab, embed, encHidden, decHidden, false);
    }

    /** Width of the decoder cell state the search carries: Hd, plus the attention focus if location-aware. */
    public int stateC() {
        return decHidden + (locationAttention ? 1 : 0);
    }
}
