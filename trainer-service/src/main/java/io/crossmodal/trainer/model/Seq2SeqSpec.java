package io.crossmodal.trainer.model;

/** Sizes of one attention sequence-to-sequence model (see docs/DESIGN.md). */
public record Seq2SeqSpec(int srcVocab, int tgtVocab, int embed, int encHidden, int decHidden) {
    public Seq2SeqSpec {
        if (srcVocab < 5 || tgtVocab < 5 || embed < 1 || encHidden < 1 || decHidden < 1) {
            throw new IllegalArgumentException("invalid seq2seq sizes: " + this);
        }
    }
}
