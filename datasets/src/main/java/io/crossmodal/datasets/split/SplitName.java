package io.crossmodal.datasets.split;

/**
 * The five disjoint word sets. Declaration order is the assignment order: test and dev are
 * drawn first, so for a fixed seed they stay identical when the training sizes change and
 * results across paired/unpaired budgets are comparable.
 */
public enum SplitName {
    TEST("test"),
    DEV("dev"),
    PAIRED("paired"),
    UNPAIRED_GRAPHEMES("unpaired_graphemes"),
    UNPAIRED_PHONEMES("unpaired_phonemes");

    private final String key;

    SplitName(String key) {
        this.key = key;
    }

    /** Stable snake_case name used in reports, hashes and file names. */
    public String key() {
        return key;
    }
}
