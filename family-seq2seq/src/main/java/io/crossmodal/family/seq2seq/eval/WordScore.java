package io.crossmodal.family.seq2seq.eval;

import java.util.List;

/**
 * How one word's hypothesis compares with its closest reference.
 *
 * @param word the spelling
 * @param hypothesis the predicted sequence (empty if the model produced none)
 * @param reference the reference alternative with the smallest edit distance
 * @param distance edit distance between hypothesis and reference; 0 means the word is correct
 */
public record WordScore(String word, List<String> hypothesis, List<String> reference, int distance) {
    public WordScore {
        hypothesis = List.copyOf(hypothesis);
        reference = List.copyOf(reference);
    }

    public boolean correct() {
        return distance == 0;
    }
}
