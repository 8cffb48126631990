package io.crossmodal.family.seq2seq.serving;

import java.util.List;

/**
 * One output sequence as symbols, with its log-probability and where it comes from. A model hypothesis's
 * log-probability is the model's ({@code </s>} included) and its probability exp of it; a lexicon
 * hypothesis's probability is its share among the input's lexicon entries and its log-probability the log of that.
 */
public record ScoredSequence(List<String> symbols, double logProb, Source source, double probability) {

    /** Where a hypothesis comes from. */
    public enum Source { MODEL, LEXICON }

    public ScoredSequence {
        symbols = List.copyOf(symbols);
        if (source == null) {
            throw new IllegalArgumentException("source must be set");
        }
    }

    /** A model hypothesis. */
    public ScoredSequence(List<String> symbols, double logProb) {
        this(symbols, logProb, Source.MODEL, Math.exp(logProb));
    }

    /** A lexicon hypothesis with probability {@code probability}. */
    public static ScoredSequence lexicon(List<String> symbols, double probability) {
        return new ScoredSequence(symbols, Math.log(probability), Source.LEXICON, probability);
    }
}
