package io.crossmodal.trainer.study;

import java.util.List;

/** Mean, sample standard deviation (n - 1; 0 for one value), min and max of a metric over seeds. */
public record Stats(int n, double mean, double sd, double min, double max) {

    public static Stats of(List<Double> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        int n = xs.size();
        double mean = xs.stream().mapToDouble(Double::doubleValue).sum() / n;
        double ss = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return new Stats(n, mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min, max);
    }

    /**
     * Whether this (lower is better) beats {@code other} beyond the spread across seeds: every seed
     * of this is better than every seed of the other (the ranges do not overlap), and the means
     * differ by more than either standard deviation.
     */
    public boolean beatsBeyondSpread(Stats other) {
        return max < other.min && other.mean - mean > Math.max(sd, other.sd);
    }
}
