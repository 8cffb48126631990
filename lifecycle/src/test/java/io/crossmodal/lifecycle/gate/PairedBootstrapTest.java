package io.crossmodal.lifecycle.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.eval.WordScore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    /** A word with a reference of {@code refLength} symbols and {@code errors} edit operations. */
    static WordScore word(String w, int errors, int refLength) {
        List<String> ref = Collections.nCopies(refLength, "AA");
        List<String> hyp = new ArrayList<>(ref.subList(0, refLength - Math.min(errors, refLength)));
        return new WordScore(w, hyp, ref, errors);
    }

    static List<WordScore> words(int n, int refLength, java.util.function.IntUnaryOperator errors) {
        List<WordScore> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(word(String.format("w%04d", i), errors.applyAsInt(i), refLength));
        }
        return out;
    }

    @Test
    void identicalSystemsGiveADegenerateIntervalAtZero() {
        List<WordScore> a = words(50, 4, i -> i % 3);
        PairedBootstrap.Interval ci = PairedBootstrap.perDifference(a, a, 500, 0.95, 1);
        assertEquals(0, ci.observed());
        assertEquals(0, ci.lower());
        assertEquals(0, ci.upper());
    }

    @Test
    void aConstantPerWordShiftIsExactInEveryResample() {
        // every word: reference length 4, candidate one error more than production -> PER difference 1/4 in every resample
        List<WordScore> prod = words(40, 4, i -> i % 2);
        List<WordScore> cand = words(40, 4, i -> i % 2 + 1);
        PairedBootstrap.Interval ci = PairedBootstrap.perDifference(cand, prod, 300, 0.9, 3);
        assertEquals(0.25, ci.observed(), 1e-12);
        assertEquals(0.25, ci.lower(), 1e-12);
        assertEquals(0.25, ci.upper(), 1e-12);
        assertEquals(0.25, ci.mean(), 1e-12);
    }

    @Test
    void matchesTheBinomialIntervalOfAHandCheckableCase() {
        // n = 400 one-symbol words; production wrong on every other word, candidate always right.
        // A resample's difference is -K/n with K ~ Binomial(400, 0.5): mean -0.5, sd sqrt(0.25/400) = 0.025,
        // so the 95% interval is about -0.5 +- 1.96 * 0.025 = [-0.549, -0.451].
        List<WordScore> prod = words(400, 1, i -> i % 2);
        List<WordScore> cand = words(400, 1, i -> 0);
        PairedBootstrap.Interval ci = PairedBootstrap.perDifference(cand, prod, 4000, 0.95, 7);
        assertEquals(-0.5, ci.observed(), 1e-12);
        assertEquals(-0.549, ci.lower(), 0.006);
        assertEquals(-0.451, ci.upper(), 0.006);
        assertEquals(-0.5, ci.mean(), 0.003);
    }

    @Test
    void sameSeedSameInterval() {
        List<WordScore> prod = words(100, 3, i -> i % 4 == 0 ? 1 : 0);
        List<WordScore> cand = words(100, 3, i -> i % 5 == 0 ? 1 : 0);
        assertEquals(PairedBootstrap.perDifference(cand, prod, 200, 0.95, 11),
                PairedBootstrap.perDifference(cand, prod, 200, 0.95, 11));
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] v = {0, 1, 2, 3, 4};
        assertEquals(0, PairedBootstrap.quantile(v, 0));
        assertEquals(4, PairedBootstrap.quantile(v, 1));
        assertEquals(2, PairedBootstrap.quantile(v, 0.5));
        assertEquals(0.1, PairedBootstrap.quantile(v, 0.025), 1e-12);
    }

    @Test
    void unpairedWordListsAreRejected() {
        List<WordScore> a = words(3, 2, i -> 0);
        List<WordScore> b = new ArrayList<>(a);
        b.set(1, word("other", 0, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.perDifference(a, b, 10, 0.9, 1))
                .getMessage().contains("not paired"));
        assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.perDifference(a, a.subList(0, 2), 10, 0.9, 1));
    }
}
