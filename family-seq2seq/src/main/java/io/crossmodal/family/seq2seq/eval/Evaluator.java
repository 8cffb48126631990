package io.crossmodal.family.seq2seq.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores predictions against a lexicon with alternative pronunciations. Each word is scored
 * against its closest reference, so a model is not penalised for choosing a valid variant.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * PER and WER over the words of {@code references}. A word without a hypothesis is scored as
     * an empty prediction (all its phonemes deleted) so a model cannot look better by failing to
     * answer; hypotheses for words not in {@code references} are ignored.
     */
    public static ErrorRates evaluate(Map<String, List<String>> hypotheses,
            Map<String, List<List<String>>> references) {
        return ErrorRates.of(scoreAll(hypotheses, references));
    }

    /** Per-word scores in sorted word order (deterministic for reports). */
    public static List<WordScore> scoreAll(Map<String, List<String>> hypotheses,
            Map<String, List<List<String>>> references) {
        List<WordScore> out = new ArrayList<>(references.size());
        for (Map.Entry<String, List<List<String>>> e : new TreeMap<>(references).entrySet()) {
            out.add(score(e.getKey(), hypotheses.getOrDefault(e.getKey(), List.of()), e.getValue()));
        }
        return out;
    }

    /** The first {@code limit} wrongly predicted words, in sorted word order. */
    public static List<WordScore> errors(List<WordScore> scores, int limit) {
        return scores.stream().filter(s -> !s.correct()).limit(limit).toList();
    }

    /**
     * Scores one word against its closest reference. Ties go to the earlier alternative (the
     * lexicon lists the primary pronunciation first), keeping PER independent of map order.
     */
    public static WordScore score(String word, List<String> hypothesis, List<List<String>> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("word '" + word + "' has no reference pronunciation");
        }
        List<String> best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (List<String> ref : references) {
            if (ref.isEmpty()) {
                throw new IllegalArgumentException("word '" + word + "' has an empty reference");
            }
            int d = EditDistance.levenshtein(hypothesis, ref);
            if (d < bestDistance) {
                best = ref;
                bestDistance = d;
            }
        }
        return new WordScore(word, hypothesis, best, bestDistance);
    }
}
