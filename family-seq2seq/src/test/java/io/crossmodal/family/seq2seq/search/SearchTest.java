package io.crossmodal.family.seq2seq.search;

import static io.crossmodal.family.seq2seq.search.ToyStepModel.A;
import static io.crossmodal.family.seq2seq.search.ToyStepModel.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SearchTest {

    // every table row sums to 1.502 (0.002 pad/bos + 0.5 unk + 1.0), see ToyStepModel.dist
    static final double P_A_EOS = ToyStepModel.logP(0.6, 0.4);
    static final double P_B_EOS = ToyStepModel.logP(0.4, 0.9);

    @Test
    void greedyTakesTheLocallyBestPath() {
        List<List<Hypothesis>> r = new GreedySearch(10).search(new ToyStepModel(), new long[][] {{A}});
        assertEquals(1, r.get(0).size());
        assertArrayEquals(new long[] {A}, r.get(0).get(0).tokens());
        assertEquals(P_A_EOS, r.get(0).get(0).logProb(), 1e-5);
    }

    @Test
    void beamFindsTheBetterPathGreedyMisses() {
        List<List<Hypothesis>> r = new BeamSearch(2, 2, 10).search(new ToyStepModel(), new long[][] {{A}});
        List<Hypothesis> nbest = r.get(0);
        assertEquals(2, nbest.size());
        assertArrayEquals(new long[] {B}, nbest.get(0).tokens());
        assertEquals(P_B_EOS, nbest.get(0).logProb(), 1e-5);
        assertArrayEquals(new long[] {A}, nbest.get(1).tokens());
        assertEquals(P_A_EOS, nbest.get(1).logProb(), 1e-5);
        assertTrue(nbest.get(0).logProb() > nbest.get(1).logProb());
    }

    @Test
    void beamBatchesAllHypothesesOfAllInputsInOneStep() {
        ToyStepModel model = new ToyStepModel();
        List<List<Hypothesis>> r = new BeamSearch(2, 2, 10).search(model, new long[][] {{A}, {B}, {A, B}});
        // source [B] mirrors A and B
        assertArrayEquals(new long[] {A}, r.get(1).get(0).tokens());
        assertArrayEquals(new long[] {B}, r.get(1).get(1).tokens());
        assertArrayEquals(new long[] {B}, r.get(0).get(0).tokens());
        assertArrayEquals(new long[] {B}, r.get(2).get(0).tokens());
        // first step: one start hypothesis per input; second: two live beams per input
        assertEquals(List.of(3, 6), model.stepSizes);
    }

    @Test
    void beamOfWidthOneEqualsGreedy() {
        long[][] src = {{A}, {B}};
        List<List<Hypothesis>> g = new GreedySearch(10).search(new ToyStepModel(), src);
        List<List<Hypothesis>> b = new BeamSearch(1, 1, 10).search(new ToyStepModel(), src);
        assertEquals(g, b);
    }

    @Test
    void maxLengthForcesEndOfSequence() {
        // with maxLength 1 the only continuation after one token is </s>
        List<Hypothesis> r = new BeamSearch(3, 3, 1).search(new ToyStepModel(), new long[][] {{A}}).get(0);
        for (Hypothesis h : r) {
            assertTrue(h.length() <= 1);
        }
        Hypothesis g = new GreedySearch(1).search(new ToyStepModel(), new long[][] {{A}}).get(0).get(0);
        assertEquals(1, g.length());
    }

    @Test
    void neverEmitsReservedIds() {
        for (Hypothesis h : new BeamSearch(4, 4, 6).search(new ToyStepModel(), new long[][] {{A}}).get(0)) {
            for (long t : h.tokens()) {
                assertTrue(t == A || t == B, "emitted " + t);
            }
        }
    }

    @Test
    void lengthNormalisationPrefersLongerWhenPerTokenScoreIsBetter() {
        Hypothesis shortH = new Hypothesis(new long[] {4}, -2.0);
        Hypothesis longH = new Hypothesis(new long[] {4, 4, 4}, -3.0);
        assertTrue(longH.normalizedLogProb() > shortH.normalizedLogProb());
        List<Hypothesis> r = new BeamSearch(3, 3, 5, true).search(new ToyStepModel(), new long[][] {{A}}).get(0);
        for (int i = 1; i < r.size(); i++) {
            assertTrue(r.get(i - 1).normalizedLogProb() >= r.get(i).normalizedLogProb());
        }
    }

    @Test
    void samplingIsDeterministicPerSeedAndSorted() {
        SamplingSearch s = new SamplingSearch(20, 1.0, 8, 123);
        List<List<Hypothesis>> a = s.search(new ToyStepModel(), new long[][] {{A}, {B}});
        List<List<Hypothesis>> b = s.search(new ToyStepModel(), new long[][] {{A}, {B}});
        assertEquals(a, b);
        assertEquals(20, a.get(0).size());
        for (List<Hypothesis> l : a) {
            for (int i = 1; i < l.size(); i++) {
                assertTrue(l.get(i - 1).logProb() >= l.get(i).logProb());
            }
        }
        List<List<Hypothesis>> c = new SamplingSearch(20, 1.0, 8, 124).search(new ToyStepModel(), new long[][] {{A}, {B}});
        assertNotEquals(a, c);
        // near-zero temperature collapses to greedy
        List<Hypothesis> cold = new SamplingSearch(5, 1e-4, 8, 1).search(new ToyStepModel(), new long[][] {{A}}).get(0);
        for (Hypothesis h : cold) {
            assertArrayEquals(new long[] {A}, h.tokens());
        }
    }

    @Test
    void rejectsInvalidSettings() {
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(2, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSearch(1, 0.0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> SearchOptions.beam(0, 1).toSearch());
    }

    @Test
    void topKBreaksTiesTowardsLowerIds() {
        float[] lp = {0f, 0f, -1f, 0f, -0.5f, -0.5f, -0.1f};
        assertArrayEquals(new int[] {6, 4, 5}, TokenSelection.topK(lp, 3));
        assertArrayEquals(new int[] {6, 4, 5, 2}, TokenSelection.topK(lp, 10));
    }
}
