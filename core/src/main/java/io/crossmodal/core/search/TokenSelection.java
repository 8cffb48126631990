package io.crossmodal.core.search;

import java.util.SplittableRandom;

/** Token choice over one row of log-probabilities, restricted to generatable ids. */
final class TokenSelection {

    private TokenSelection() {
    }

    /** Ids of the k best generatable tokens, best first; ties go to the lower id (engine-independent). */
    static int[] topK(float[] logProbs, int k) {
        int[] best = new int[k];
        int filled = 0;
        for (int v = 0; v < logProbs.length; v++) {
            if (!SpecialTokens.generatable(v)) {
                continue;
            }
            if (filled == k && logProbs[v] <= logProbs[best[k - 1]]) {
                continue;
            }
            int pos = filled < k ? filled++ : k - 1;
            // insertion: strictly greater moves up, so an equal earlier id stays ahead
            while (pos > 0 && logProbs[v] > logProbs[best[pos - 1]]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = v;
        }
        return filled == k ? best : java.util.Arrays.copyOf(best, filled);
    }

    static int argmax(float[] logProbs) {
        return topK(logProbs, 1)[0];
    }

    /** Samples from softmax(logProbs / temperature) over generatable ids. */
    static int sample(float[] logProbs, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < logProbs.length; v++) {
            if (SpecialTokens.generatable(v)) {
                max = Math.max(max, logProbs[v] / temperature);
            }
        }
        double[] w = new double[logProbs.length];
        double total = 0;
        for (int v = 0; v < logProbs.length; v++) {
            if (SpecialTokens.generatable(v)) {
                w[v] = Math.exp(logProbs[v] / temperature - max);
                total += w[v];
            }
        }
        double u = rng.nextDouble() * total;
        int last = -1;
        for (int v = 0; v < w.length; v++) {
            if (w[v] > 0) {
                last = v;
                u -= w[v];
                if (u < 0) {
                    return v;
                }
            }
        }
        return last; // rounding left u >= 0: take the last positive-weight id
    }
}
