package io.crossmodal.lifecycle.gate;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Paired bootstrap of the difference of a corpus metric between two systems scored on the same
 * examples: each resample draws n example indices with replacement and recomputes both systems'
 * metric (a ratio of sums, {@link RatioMetric}) on those same examples, so example difficulty cancels
 * out. The interval is the two-sided percentile interval (linear interpolation between order statistics).
 */
public final class PairedBootstrap {
    private PairedBootstrap() {}

    /**
     * @param observed metric(a) - metric(b) on all examples
     * @param lower    lower bound of the interval
     * @param upper    upper bound of the interval
     * @param mean     mean of the resampled differences
     * @param samples  number of resamples
     * @param confidence the interval's confidence level
     * @param seed     the seed used
     * @param words    number of paired examples (named {@code words} in decision records since the seq2seq gate)
     * @param metric   the metric compared (null in records written before metrics were named)
     */
    public record Interval(double observed, double lower, double upper, double mean, int samples, double confidence,
            long seed, int words, String metric) {}

    /**
     * metric(a) - metric(b) with a paired percentile bootstrap interval; a and b must score the same
     * examples in the same order.
     */
    public static Interval difference(String metric, List<String> idsA, RatioMetric a, List<String> idsB, RatioMetric b,
            int samples, double confidence, long seed) {
        int n = a.size();
        if (n == 0 || n != b.size() || idsA.size() != n || idsB.size() != n) {
            throw new IllegalArgumentException("paired bootstrap needs the same non-empty example list for both systems, got "
                    + n + " and " + b.size() + " examples");
        }
        if (samples < 1 || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("samples must be >= 1 and confidence in (0, 1)");
        }
        for (int i = 0; i < n; i++) {
            if (!idsA.get(i).equals(idsB.get(i))) {
                throw new IllegalArgumentException("example lists are not paired at index " + i + ": '" + idsA.get(i)
                        + "' vs '" + idsB.get(i) + "'");
            }
        }
        double observed = a.value(null) - b.value(null);
        Random rnd = new Random(seed);
        double[] diffs = new double[samples];
        int[] idx = new int[n];
        double sum = 0;
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(n);
            }
            diffs[s] = a.value(idx) - b.value(idx);
            sum += diffs[s];
        }
        Arrays.sort(diffs);
        double alpha = 1 - confidence;
        return new Interval(observed, quantile(diffs, alpha / 2), quantile(diffs, 1 - alpha / 2), sum / samples,
                samples, confidence, seed, n, metric);
    }

    /** {@link #difference} of one per-example metric of two components' scores. */
    public static Interval difference(String metric, ComponentScores a, ComponentScores b, int samples, double confidence,
            long seed) {
        return difference(metric, a.exampleIds(), a.perExample().get(metric), b.exampleIds(), b.perExample().get(metric),
                samples, confidence, seed);
    }

    /** Quantile of sorted values, linear interpolation between order statistics (R type 7). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
