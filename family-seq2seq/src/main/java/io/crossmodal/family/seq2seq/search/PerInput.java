package io.crossmodal.family.seq2seq.search;

/** Checks shared by the searches that take settings per input. */
final class PerInput {

    private PerInput() {
    }

    static void checkCount(String what, int[] perInput, int inputs) {
        if (perInput != null && perInput.length != inputs) {
            throw new IllegalArgumentException(what + " has " + perInput.length + " entries for " + inputs + " inputs");
        }
    }

    static void checkCount(String what, long[] perInput, int inputs) {
        if (perInput != null && perInput.length != inputs) {
            throw new IllegalArgumentException(what + " has " + perInput.length + " entries for " + inputs + " inputs");
        }
    }
}
