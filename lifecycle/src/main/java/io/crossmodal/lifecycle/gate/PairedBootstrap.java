package io.crossmodal.lifecycle.gate;

import io.crossmodal.family.seq2seq.eval.WordScore;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Paired bootstrap of the corpus PER difference between two systems scored on the same words:
 * each resample draws n word indices with replacement and recomputes both corpus PERs (summed edit
 * distance / summed closest-reference length) on those same words, so word difficulty cancels out.
 * The interval is the two-sided percentile interval (linear interpolation between order statistics).
 */
public final class PairedBootstrap {
    private PairedBootstrap() {}

    /**
     * @param observed PER(a) - PER(b) on all words
     * @param lower    lower bound of the interval
     * @param upper    upper bound of the interval
     * @param mean     mean of the resampled differences
     * @param samples  number of resamples
     * @param confidence the interval's confidence level
     * @param seed     the seed used
     * @param words    number of paired words
     */
    public record Interval(double observed, double lower, double upper, double mean, int samples, double confidence,
            long seed, int words) {}

    /** PER(a) - PER(b) with a paired percentile bootstrap interval; a and b must score the same words in the same order. */
    public static Interval perDifference(List<WordScore> a, List<WordScore> b, int samples, double confidence, long seed) {
        int n = a.size();
        if (n == 0 || n != b.size()) {
            throw new IllegalArgumentException("paired bootstrap needs the same non-empty word list for both systems, got "
                    + n + " and " + b.size() + " words");
        }
        if (samples < 1 || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("samples must be >= 1 and confidence in (0, 1)");
        }
        long[] ea = new long[n];
        long[] la = new long[n];
        long[] eb = new long[n];
        long[] lb = new long[n];
        for (int i = 0; i < n; i++) {
            WordScore x = a.get(i);
            WordScore y = b.get(i);
            if (!x.word().equals(y.word())) {
                throw new IllegalArgumentException("word lists are not paired at index " + i + ": '" + x.word()
                        + "' vs '" + y.word() + "'");
            }
            ea[i] = x.distance();
            la[i] = x.reference().size();
            eb[i] = y.distance();
            lb[i] = y.reference().size();
        }
        double observed = per(ea, la, null) - per(eb, lb, null);
        Random rnd = new Random(seed);
        double[] diffs = new double[samples];
        int[] idx = new int[n];
        double sum = 0;
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(n);
            }
            diffs[s] = per(ea, la, idx) - per(eb, lb, idx);
            sum += diffs[s];
        }
        Arrays.sort(diffs);
        double alpha = 1 - confidence;
        return new Interval(observed, quantile(diffs, alpha / 2), quantile(diffs, 1 - alpha / 2), sum / samples,
                samples, confidence, seed, n);
    }

    private static double per(long[] errors, long[] lengths, int[] idx) {
        long e = 0;
        long l = 0;
        int n = idx == null ? errors.length : idx.length;
        for (int k = 0; k < n; k++) {
            int i = idx == null ? k : idx[k];
            e += errors[i];
            l += lengths[i];
        }
        return l == 0 ? 0 : (double) e / l;
    }

    /** Quantile of sorted values, linear interpolation between order statistics (R type 7). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
