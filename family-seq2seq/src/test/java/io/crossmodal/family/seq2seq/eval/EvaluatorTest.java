package io.crossmodal.family.seq2seq.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private static List<String> seq(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    @Test
    void levenshtein() {
        assertEquals(3, EditDistance.levenshtein(seq("k i t t e n"), seq("s i t t i n g")));
        assertEquals(0, EditDistance.levenshtein(seq("AH0 B"), seq("AH0 B")));
        assertEquals(2, EditDistance.levenshtein(seq(""), seq("AH0 B")));
        assertEquals(2, EditDistance.levenshtein(seq("AH0 B"), seq("")));
        assertEquals(1, EditDistance.levenshtein(seq("AH0 B"), seq("AH1 B")));
        assertEquals(2, EditDistance.levenshtein(seq("A B"), seq("B A")));
        assertEquals(3, EditDistance.levenshtein(seq("A B C"), seq("D E F")));
    }

    @Test
    void perAndWerUseClosestReference() {
        Map<String, List<List<String>>> refs = Map.of(
                "a", List.of(seq("AH0"), seq("EY1")),
                "cat", List.of(seq("K AE1 T")),
                "read", List.of(seq("R IY1 D"), seq("R EH1 D")),
                "dog", List.of(seq("D AO1 G")));
        Map<String, List<String>> hyps = Map.of(
                "a", seq("EY1"),            // matches the 2nd alternative: 0 errors / 1
                "cat", seq("K AH0 T"),      // 1 substitution / 3
                "read", seq("R EH1 D Z"),   // closest R EH1 D: 1 insertion / 3
                "extra", seq("EH1 K S"));   // not a reference word: ignored
        // "dog" has no hypothesis: scored as empty, 3 deletions / 3.
        ErrorRates r = Evaluator.evaluate(hyps, refs);
        assertEquals(4, r.words());
        assertEquals(5, r.phonemeErrors());
        assertEquals(10, r.referenceLength());
        assertEquals(0.5, r.per(), 1e-12);
        assertEquals(0.75, r.wer(), 1e-12);

        List<WordScore> scores = Evaluator.scoreAll(hyps, refs);
        assertEquals(List.of("a", "cat", "dog", "read"), scores.stream().map(WordScore::word).toList());
        assertEquals(seq("R EH1 D"), scores.get(3).reference());
        assertEquals(List.of("cat", "dog"), Evaluator.errors(scores, 2).stream().map(WordScore::word).toList());
    }

    @Test
    void tiesGoToTheFirstAlternative() {
        WordScore s = Evaluator.score("w", seq("A B"), List.of(seq("A"), seq("A B C")));
        assertEquals(1, s.distance());
        assertEquals(seq("A"), s.reference());
    }

    @Test
    void perfectAndInvalidInputs() {
        ErrorRates r = Evaluator.evaluate(Map.of("x", seq("EH1 K S")), Map.of("x", List.of(seq("EH1 K S"))));
        assertEquals(0.0, r.per());
        assertEquals(0.0, r.wer());
        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.score("w", seq("A"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.score("w", seq("A"), List.of(seq(""))));
    }
}
