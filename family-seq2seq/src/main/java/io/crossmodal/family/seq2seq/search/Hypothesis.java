package io.crossmodal.family.seq2seq.search;

import java.util.Arrays;

/**
 * A finished output: token ids without {@code <s>}/{@code </s>} and its total log-probability
 * (the {@code </s>} step included).
 */
public record Hypothesis(long[] tokens, double logProb) {

    public Hypothesis {
        tokens = tokens.clone();
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    /** Log-probability per emitted token ({@code </s>} counted), used for length normalisation. */
    public double normalizedLogProb() {
        return logProb / (tokens.length + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hypothesis h && Arrays.equals(tokens, h.tokens) && Double.compare(logProb, h.logProb) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Double.hashCode(logProb);
    }

    @Override
    public String toString() {
        return "Hypothesis" + Arrays.toString(tokens) + " " + logProb;
    }
}
