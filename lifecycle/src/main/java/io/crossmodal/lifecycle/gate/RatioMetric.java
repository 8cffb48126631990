package io.crossmodal.lifecycle.gate;

import java.util.Arrays;

/**
 * A corpus metric that is a ratio of sums over examples, {@code sum(numerators) / sum(denominators)},
 * kept per example so the paired bootstrap can resample examples: e.g. PER (edit distance over
 * reference length), WER (wrong words over words, denominator 1), accuracy (correct over examples).
 *
 * @param numerators   one value per example, in the order of {@link ComponentScores#exampleIds()}
 * @param denominators one value per example, same order
 */
public record RatioMetric(double[] numerators, double[] denominators) {

    public RatioMetric {
        if (numerators.length != denominators.length) {
            throw new IllegalArgumentException("numerators and denominators differ in length: " + numerators.length + " vs "
                    + denominators.length);
        }
        numerators = numerators.clone();
        denominators = denominators.clone();
    }

    public int size() {
        return numerators.length;
    }

    /** The corpus value (0 when the denominators sum to 0). */
    public double value() {
        return value(null);
    }

    /** The value over the examples at {@code idx} (with repeats), or over all examples when null. */
    double value(int[] idx) {
        double n = 0;
        double d = 0;
        int count = idx == null ? numerators.length : idx.length;
        for (int k = 0; k < count; k++) {
            int i = idx == null ? k : idx[k];
            n += numerators[i];
            d += denominators[i];
        }
        return d == 0 ? 0 : n / d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RatioMetric r && Arrays.equals(numerators, r.numerators) && Arrays.equals(denominators, r.denominators);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(numerators) + Arrays.hashCode(denominators);
    }

    @Override
    public String toString() {
        return "RatioMetric[" + value() + " over " + size() + " examples]";
    }
}
