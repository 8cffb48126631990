package io.crossmodal.family.seq2seq.eval;

import java.util.Collection;

/**
 * Corpus-level error rates.
 *
 * @param per phoneme (symbol) error rate: phonemeErrors / referenceLength
 * @param wer word error rate: fraction of words whose hypothesis matches no reference
 * @param words number of words scored
 * @param phonemeErrors summed edit distance to each word's closest reference
 * @param referenceLength summed length of those closest references
 */
public record ErrorRates(double per, double wer, int words, long phonemeErrors, long referenceLength) {

    /** Aggregates per-word scores; the set must be non-empty so the rates are defined. */
    public static ErrorRates of(Collection<WordScore> scores) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("no words to score");
        }
        long errors = 0;
        long refLength = 0;
        int wrong = 0;
        for (WordScore s : scores) {
            errors += s.distance();
            refLength += s.reference().size();
            if (!s.correct()) {
                wrong++;
            }
        }
        return new ErrorRates((double) errors / refLength, (double) wrong / scores.size(),
                scores.size(), errors, refLength);
    }
}
