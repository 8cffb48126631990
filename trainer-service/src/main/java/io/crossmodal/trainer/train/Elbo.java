package io.crossmodal.trainer.train;

import java.util.List;

/**
 * The pure arithmetic of the noisy-channel objective (docs/NOISY_CHANNEL.md), on host doubles:
 * log importance weights {@code log w_k = log p(x|y_k) + log p(y_k) - log q(y_k|x)} for samples
 * {@code y_k ~ q(y|x)}, their self-normalised weights, the ELBO {@code mean_k log w_k} and the
 * importance-weighted bound {@code log mean_k w_k}. No model or engine code: testable by hand.
 */
public final class Elbo {
    private Elbo() {}

    /** Both bounds on log p(x), averaged over the items that had at least one sample. */
    public record Estimate(double elbo, double iwBound, int items, int samples) {}

    /** {@code log p(x|y_k) + log p(y_k) - log q(y_k|x)} element-wise. */
    public static double[] logWeights(double[] logPxGivenY, double[] logPy, double[] logQ) {
        if (logPxGivenY.length != logPy.length || logPy.length != logQ.length) {
            throw new IllegalArgumentException("arrays of different lengths");
        }
        double[] out = new double[logQ.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = logPxGivenY[k] + logPy[k] - logQ[k];
        }
        return out;
    }

    /**
     * Log weights of the wake term's pseudo-spellings y_k of one phoneme string x, before they are
     * renormalised within the item ({@link #rowWeights}):
     * <ul>
     * <li>over a fixed n-best list (beam search): {@code log p(y_k) + log p(x|y_k)}, the posterior
     * p(y|x) restricted to the list. Nothing was sampled, so there is no proposal to divide by;
     * dividing by q would penalise exactly the hypotheses q is most sure of;</li>
     * <li>over samples: {@code log p(x|y_k) + log p(y_k) - log q_T(y_k|x)}, the self-normalised
     * importance weights against the distribution the samples were drawn from, the tempered
     * q_T (= q at T = 1).</li>
     * </ul>
     */
    public static double[] wakeLogWeights(double[] logPxGivenY, double[] logPy, double[] logProposal, boolean fixedList) {
        if (fixedList) {
            return logWeights(logPxGivenY, logPy, new double[logPy.length]);
        }
        return logWeights(logPxGivenY, logPy, logProposal);
    }

    /** softmax_k(logW): the self-normalised importance weights, summing to 1. */
    public static double[] normalizedWeights(double[] logW) {
        double lse = logSumExp(logW);
        double[] out = new double[logW.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.exp(logW[k] - lse);
        }
        return out;
    }

    /** log((1/K) sum_k exp(logW_k)), computed stably. */
    public static double logMeanExp(double[] logW) {
        return logSumExp(logW) - Math.log(logW.length);
    }

    /** (1/K) sum_k logW_k: the plain Monte-Carlo ELBO of one item. */
    public static double mean(double[] logW) {
        double s = 0;
        for (double v : logW) {
            s += v;
        }
        return s / logW.length;
    }

    static double logSumExp(double[] a) {
        if (a.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double v : a) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    /** Mean over items of the plain ELBO and of the importance-weighted bound; empty items are skipped. */
    public static Estimate estimate(List<double[]> logWPerItem) {
        double elbo = 0;
        double iw = 0;
        int items = 0;
        int samples = 0;
        for (double[] lw : logWPerItem) {
            if (lw.length == 0) {
                continue;
            }
            elbo += mean(lw);
            iw += logMeanExp(lw);
            items++;
            samples += lw.length;
        }
        return items == 0 ? new Estimate(Double.NaN, Double.NaN, 0, 0)
                : new Estimate(elbo / items, iw / items, items, samples);
    }

    /**
     * Per-row weights of the wake loss, rows grouped by item ({@code item[r]} = the item of row r):
     * uniform {@code 1/K_i} over the K_i rows of item i, or with {@code importance} the
     * self-normalised importance weights within each item. Each item's weights sum to 1.
     */
    public static double[] rowWeights(int[] item, double[] logW, boolean importance) {
        if (item.length != logW.length) {
            throw new IllegalArgumentException("item and logW lengths differ");
        }
        int items = 0;
        for (int i : item) {
            items = Math.max(items, i + 1);
        }
        int[] count = new int[items];
        double[] max = new double[items];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < item.length; r++) {
            count[item[r]]++;
            max[item[r]] = Math.max(max[item[r]], logW[r]);
        }
        double[] w = new double[item.length];
        if (!importance) {
            for (int r = 0; r < item.length; r++) {
                w[r] = 1.0 / count[item[r]];
            }
            return w;
        }
        double[] total = new double[items];
        for (int r = 0; r < item.length; r++) {
            w[r] = Math.exp(logW[r] - max[item[r]]);
            total[item[r]] += w[r];
        }
        for (int r = 0; r < item.length; r++) {
            w[r] /= total[item[r]];
        }
        return w;
    }

    /**
     * The weighted per-sequence loss normaliser: sum_r w_r * tokens_r, so that
     * {@code sum_r w_r nll_r / weightedTokens} is the weighted NLL per token and equals the plain
     * per-token NLL of the supervised trainer when every weight is 1.
     */
    public static double weightedTokens(double[] w, int[] tokens) {
        double s = 0;
        for (int r = 0; r < w.length; r++) {
            s += w[r] * tokens[r];
        }
        return s;
    }
}
