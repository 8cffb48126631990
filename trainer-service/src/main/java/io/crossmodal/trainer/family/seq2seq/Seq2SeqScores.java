package io.crossmodal.trainer.family.seq2seq;

import io.crossmodal.family.seq2seq.eval.ErrorRates;
import io.crossmodal.family.seq2seq.eval.WordScore;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.RatioMetric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seq2seq family's metrics in the gate's terms: {@code per} (edit distance over the closest
 * reference's length; the default bootstrap metric) and {@code wer} (wrong words over words), per
 * word, plus the counts {@code words}, {@code phonemeErrors}, {@code referenceLength}.
 */
public final class Seq2SeqScores {
    private Seq2SeqScores() {}

    public static ComponentScores of(List<WordScore> words) {
        return of(words, Map.of());
    }

    /** As {@link #of(List)}, with further corpus-level metrics (e.g. {@code rerank.per}) after the counts. */
    public static ComponentScores of(List<WordScore> words, Map<String, Double> extra) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no words to score");
        }
        int n = words.size();
        double[] errors = new double[n];
        double[] lengths = new double[n];
        double[] wrong = new double[n];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            WordScore w = words.get(i);
            errors[i] = w.distance();
            lengths[i] = w.reference().size();
            wrong[i] = w.correct() ? 0 : 1;
            ones[i] = 1;
        }
        Map<String, RatioMetric> perExample = new LinkedHashMap<>();
        perExample.put("per", new RatioMetric(errors, lengths));
        perExample.put("wer", new RatioMetric(wrong, ones));
        ErrorRates r = ErrorRates.of(words);
        Map<String, Double> counts = new LinkedHashMap<>();
        counts.put("words", (double) r.words());
        counts.put("phonemeErrors", (double) r.phonemeErrors());
        counts.put("referenceLength", (double) r.referenceLength());
        counts.putAll(extra);
        return ComponentScores.of(words.stream().map(WordScore::word).toList(), perExample, counts);
    }
}
