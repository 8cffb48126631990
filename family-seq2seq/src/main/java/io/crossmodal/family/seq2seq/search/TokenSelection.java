package io.crossmodal.family.seq2seq.search;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** Token choice over one row of log-probabilities, restricted to generatable ids. */
public final class TokenSelection {

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
        return sample(logProbs, 0, logProbs.length, temperature, rng::nextDouble);
    }

    /**
     * Samples an id from softmax(row / temperature) over the generatable ids of
     * {@code row[offset .. offset + vocab)} (logits or log-probabilities: the softmax is the same),
     * using exactly one draw of {@code uniform} in [0, 1).
     */
    public static int sample(float[] row, int offset, int vocab, double temperature, DoubleSupplier uniform) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            if (SpecialTokens.generatable(v)) {
                max = Math.max(max, row[offset + v] / temperature);
            }
        }
        double[] w = new double[vocab];
        double total = 0;
        for (int v = 0; v < vocab; v++) {
            if (SpecialTokens.generatable(v)) {
                w[v] = Math.exp(row[offset + v] / temperature - max);
                total += w[v];
            }
        }
        double u = uniform.getAsDouble() * total;
        int last = -1;
        for (int v = 0; v < vocab; v++) {
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
