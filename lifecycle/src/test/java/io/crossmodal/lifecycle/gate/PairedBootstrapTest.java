package io.crossmodal.lifecycle.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    /** A word with a reference of {@code refLength} symbols and {@code errors} edit operations. */
    record Word(String word, int errors, int refLength) {}

    static Word word(String w, int errors, int refLength) {
        return new Word(w, errors, refLength);
    }

    /** The scores a seq2seq family reports for these words: PER (errors / reference length) and WER (wrong / words). */
    static ComponentScores scores(List<Word> words) {
        int n = words.size();
        double[] errors = new double[n];
        double[] lengths = new double[n];
        double[] wrong = new double[n];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            errors[i] = words.get(i).errors();
            lengths[i] = words.get(i).refLength();
            wrong[i] = words.get(i).errors() > 0 ? 1 : 0;
            ones[i] = 1;
        }
        java.util.Map<String, RatioMetric> per = new java.util.LinkedHashMap<>();
        per.put("per", new RatioMetric(errors, lengths));
        per.put("wer", new RatioMetric(wrong, ones));
        return ComponentScores.of(words.stream().map(Word::word).toList(), per, java.util.Map.of("words", (double) n));
    }

    static PairedBootstrap.Interval perDifference(List<Word> a, List<Word> b, int samples, double confidence, long seed) {
        return PairedBootstrap.difference("per", scores(a), scores(b), samples, confidence, seed);
    }

    static List<Word> words(int n, int refLength, java.util.function.IntUnaryOperator errors) {
        List<Word> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(word(String.format("w%04d", i), errors.applyAsInt(i), refLength));
        }
        return out;
    }

    @Test
    void identicalSystemsGiveADegenerateIntervalAtZero() {
        List<Word> a = words(50, 4, i -> i % 3);
        PairedBootstrap.Interval ci = perDifference(a, a, 500, 0.95, 1);
        assertEquals(0, ci.observed());
        assertEquals(0, ci.lower());
        assertEquals(0, ci.upper());
    }

    @Test
    void aConstantPerWordShiftIsExactInEveryResample() {
        // every word: reference length 4, candidate one error more than production -> PER difference 1/4 in every resample
        List<Word> prod = words(40, 4, i -> i % 2);
        List<Word> cand = words(40, 4, i -> i % 2 + 1);
        PairedBootstrap.Interval ci = perDifference(cand, prod, 300, 0.9, 3);
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
        List<Word> prod = words(400, 1, i -> i % 2);
        List<Word> cand = words(400, 1, i -> 0);
        PairedBootstrap.Interval ci = perDifference(cand, prod, 4000, 0.95, 7);
        assertEquals(-0.5, ci.observed(), 1e-12);
        assertEquals(-0.549, ci.lower(), 0.006);
        assertEquals(-0.451, ci.upper(), 0.006);
        assertEquals(-0.5, ci.mean(), 0.003);
    }

    @Test
    void sameSeedSameInterval() {
        List<Word> prod = words(100, 3, i -> i % 4 == 0 ? 1 : 0);
        List<Word> cand = words(100, 3, i -> i % 5 == 0 ? 1 : 0);
        assertEquals(perDifference(cand, prod, 200, 0.95, 11),
                perDifference(cand, prod, 200, 0.95, 11));
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
        List<Word> a = words(3, 2, i -> 0);
        List<Word> b = new ArrayList<>(a);
        b.set(1, word("other", 0, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> perDifference(a, b, 10, 0.9, 1))
                .getMessage().contains("not paired"));
        assertThrows(IllegalArgumentException.class, () -> perDifference(a, a.subList(0, 2), 10, 0.9, 1));
    }
}
