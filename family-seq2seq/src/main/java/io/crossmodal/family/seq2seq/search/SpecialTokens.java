package io.crossmodal.family.seq2seq.search;

/** Reserved vocabulary ids shared by every vocabulary (DESIGN.md, "Vocabularies"). */
public final class SpecialTokens {

    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int UNK = 3;
    /** Number of reserved ids; data symbols start here. */
    public static final int COUNT = 4;

    private SpecialTokens() {
    }

    /**
     * Whether a search may emit this id. Padding and {@code <s>} never appear inside an output, and
     * {@code <unk>} is useless to a caller (inputs are never mapped to it, so training targets
     * contain none); {@code </s>} ends a hypothesis.
     */
    public static boolean generatable(int id) {
        return id != PAD && id != BOS && id != UNK;
    }
}
