package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The importance weights and both bounds against hand-computed cases. */
class ElboTest {
    private static final double EPS = 1e-9;

    // item A: log p(x|y_k), log p(y_k), log q(y_k|x) for K = 2 samples
    private static final double[] PX = {-1, -2};
    private static final double[] PY = {-3, -1};
    private static final double[] Q = {-0.5, -1.5};

    @Test
    void logWeightsAreJointMinusProposal() {
        assertArrayEquals(new double[] {-3.5, -1.5}, Elbo.logWeights(PX, PY, Q), EPS);
    }

    @Test
    void normalisedWeightsAreTheSoftmaxOfTheLogWeights() {
        // exp(-3.5) : exp(-1.5) = 1 : e^2
        double[] w = Elbo.normalizedWeights(Elbo.logWeights(PX, PY, Q));
        assertArrayEquals(new double[] {1 / (1 + Math.exp(2)), Math.exp(2) / (1 + Math.exp(2))}, w, EPS);
        assertArrayEquals(new double[] {0.11920292202211756, 0.8807970779778824}, w, EPS);
        // weights 2 : 6 : 4
        assertArrayEquals(new double[] {2 / 12.0, 6 / 12.0, 4 / 12.0},
                Elbo.normalizedWeights(new double[] {Math.log(2), Math.log(6), Math.log(4)}), EPS);
        // stable far from 0
        assertArrayEquals(new double[] {1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1))},
                Elbo.normalizedWeights(new double[] {-1000, -1001}), EPS);
    }

    @Test
    void boundsOfOneItem() {
        double[] lw = Elbo.logWeights(PX, PY, Q);
        assertEquals(-2.5, Elbo.mean(lw), EPS);
        assertEquals(Math.log((Math.exp(-3.5) + Math.exp(-1.5)) / 2), Elbo.logMeanExp(lw), EPS);
        assertEquals(-2.0662191695169727, Elbo.logMeanExp(lw), EPS);
        assertEquals(Math.log(4), Elbo.logMeanExp(new double[] {Math.log(2), Math.log(6), Math.log(4)}), EPS);
        assertEquals(-1000 + Math.log((1 + Math.exp(-1)) / 2), Elbo.logMeanExp(new double[] {-1000, -1001}), EPS);
    }

    @Test
    void estimateAveragesOverItemsAndSkipsEmptyOnes() {
        double[] a = Elbo.logWeights(PX, PY, Q);
        double[] b = {Math.log(2), Math.log(6), Math.log(4)};
        Elbo.Estimate e = Elbo.estimate(List.of(a, new double[0], b));
        assertEquals(2, e.items());
        assertEquals(5, e.samples());
        assertEquals((-2.5 + Math.log(48) / 3) / 2, e.elbo(), EPS);
        assertEquals((-2.0662191695169727 + Math.log(4)) / 2, e.iwBound(), EPS);
        assertEquals(Double.NaN, Elbo.estimate(List.of()).elbo());
    }

    @Test
    void wakeRowWeightsPerItem() {
        int[] item = {0, 0, 1, 1, 1};
        double[] lw = {-3.5, -1.5, Math.log(2), Math.log(6), Math.log(4)};
        assertArrayEquals(new double[] {0.5, 0.5, 1 / 3.0, 1 / 3.0, 1 / 3.0}, Elbo.rowWeights(item, lw, false), EPS);
        assertArrayEquals(new double[] {0.11920292202211756, 0.8807970779778824, 1 / 6.0, 0.5, 1 / 3.0},
                Elbo.rowWeights(item, lw, true), EPS);
        // an item whose samples were all dropped simply has no rows
        assertArrayEquals(new double[] {1, 0.5, 0.5}, Elbo.rowWeights(new int[] {0, 2, 2}, new double[] {0, 1, 1}, true), EPS);
    }

    @Test
    void weightedTokensReduceToTheTokenCountForUnitWeights() {
        assertEquals(0.25 * 4 + 0.75 * 8, Elbo.weightedTokens(new double[] {0.25, 0.75}, new int[] {4, 8}), EPS);
        assertEquals(12, Elbo.weightedTokens(new double[] {1, 1}, new int[] {4, 8}), EPS);
    }

    /**
     * Over a fixed n-best list: softmax of log p(x|y) + log p(y), no q. Here (-1-3, -2-1) = (-4, -3):
     * weights 1 : e. Dividing by q (the old weights, logs -3.5 and -1.5) would give 1 : e^2.
     */
    @Test
    void fixedListWeightsAreThePosteriorRenormalisedOverTheList() {
        double[] lw = Elbo.wakeLogWeights(PX, PY, Q, true);
        assertArrayEquals(new double[] {-4, -3}, lw, EPS);
        double e = Math.E;
        assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e)}, Elbo.rowWeights(new int[] {0, 0}, lw, true), EPS);
    }

    /**
     * Samples drawn at temperature T come from q_T: the weights divide by log q_T, the proposal the
     * sampler reports, not by log q at T = 1. With log q_T = (-0.2, -1.8): logs (-3.8, -1.2), weights 1 : e^2.6
     * (with log q the weights would be 1 : e^2).
     */
    @Test
    void sampledWeightsDivideByTheTemperedProposal() {
        double[] logQT = {-0.2, -1.8};
        double[] lw = Elbo.wakeLogWeights(PX, PY, logQT, false);
        assertArrayEquals(new double[] {-3.8, -1.2}, lw, EPS);
        double r = Math.exp(2.6);
        assertArrayEquals(new double[] {1 / (1 + r), r / (1 + r)}, Elbo.rowWeights(new int[] {0, 0}, lw, true), EPS);
    }
}
