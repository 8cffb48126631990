package io.crossmodal.trainer.job;

import io.crossmodal.core.eval.ErrorRates;
import io.crossmodal.core.eval.EvalReport;
import io.crossmodal.core.eval.Evaluator;
import io.crossmodal.core.eval.WordScore;
import io.crossmodal.core.search.SearchOptions;
import io.crossmodal.core.serving.InvalidInputException;
import io.crossmodal.core.serving.ScoredSequence;
import io.crossmodal.core.serving.Seq2SeqPredictor;
import io.crossmodal.core.split.SplitName;
import io.crossmodal.core.vocab.Vocabulary;
import io.crossmodal.trainer.config.JobConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Beam-search evaluation of a seq2seq component through the served code path (ONNX Runtime). */
public final class Evaluation {
    private static final int CHUNK = 128;

    private Evaluation() {}

    public static EvalReport evaluate(JobConfig cfg, Seq2SeqData data, String component, Seq2SeqPredictor predictor,
            SplitName split, int beamWidth) {
        return evaluate(cfg, data, component, predictor, split, beamWidth, scores -> {});
    }

    /** As above, also handing every word's score (sorted word order) to {@code scores}. */
    public static EvalReport evaluate(JobConfig cfg, Seq2SeqData data, String component, Seq2SeqPredictor predictor,
            SplitName split, int beamWidth, java.util.function.Consumer<List<WordScore>> scores) {
        boolean g2p = component.equals("g2p");
        Map<String, List<List<String>>> refs = references(data, component, split);
        long start = System.nanoTime();
        Map<String, List<String>> hyps = hypotheses(refs, component, predictor, beamWidth, cfg.model().maxOutputLength());
        double seconds = (System.nanoTime() - start) / 1e9;
        ErrorRates rates = Evaluator.evaluate(hyps, refs);
        List<WordScore> all = Evaluator.scoreAll(hyps, refs);
        scores.accept(all);
        List<WordScore> examples = Evaluator.errors(all, 20);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (SplitName n : SplitName.values()) {
            counts.put(n.key() + "_words", data.split.count(n));
        }
        counts.put("evaluated", refs.size());
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("decode_seconds", seconds);
        timings.put("words_per_second", refs.size() / Math.max(seconds, 1e-9));
        return new EvalReport(cfg.name(), g2p ? "g2p (graphemes -> phonemes)" : "p2g (phonemes -> graphemes)",
                split.key(), counts, rates, cfg.toMap(), cfg.seed(), data.split.fingerprint(), timings, examples);
    }

    /** The references of a split for a component: spelling -> pronunciations (g2p) or pronunciation -> spellings (p2g). */
    public static Map<String, List<List<String>>> references(Seq2SeqData data, String component, SplitName split) {
        return component.equals("g2p") ? data.g2pReferences(split, 0) : data.p2gReferences(split, 0);
    }

    /**
     * Per-word scores of one model on a split, in sorted word order (so two models' lists pair up
     * word by word): ONNX Runtime beam search of width {@code beamWidth}, each word scored against
     * its closest reference. A word the model cannot read (a symbol outside its vocabulary, too long)
     * is scored as an empty prediction, like a word without an answer.
     */
    public static List<WordScore> scoreWords(Seq2SeqData data, String component, Seq2SeqPredictor predictor, SplitName split,
            int beamWidth, int maxOutputLength) {
        Map<String, List<List<String>>> refs = references(data, component, split);
        return Evaluator.scoreAll(hypotheses(refs, component, predictor, beamWidth, maxOutputLength), refs);
    }

    private static Map<String, List<String>> hypotheses(Map<String, List<List<String>>> refs, String component,
            Seq2SeqPredictor predictor, int beamWidth, int maxOutputLength) {
        Function<String, List<String>> toSymbols = component.equals("g2p") ? Vocabulary::graphemes : Seq2SeqData::symbols;
        SearchOptions opts = SearchOptions.beam(beamWidth, 1).withMaxLength(maxOutputLength);
        List<String> keys = new ArrayList<>();
        for (String k : refs.keySet()) {
            try {
                predictor.sourceIds(toSymbols.apply(k));
                keys.add(k);
            } catch (InvalidInputException unreadable) {
                // no hypothesis: scored as all symbols deleted
            }
        }
        keys.sort(Comparator.comparingInt(k -> toSymbols.apply(k).size()));
        Map<String, List<String>> hyps = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i += CHUNK) {
            List<String> chunk = keys.subList(i, Math.min(keys.size(), i + CHUNK));
            List<List<ScoredSequence>> out = predictor.transduce(chunk.stream().map(toSymbols).toList(), opts);
            for (int j = 0; j < chunk.size(); j++) {
                hyps.put(chunk.get(j), out.get(j).isEmpty() ? List.of() : out.get(j).get(0).symbols());
            }
        }
        return hyps;
    }
}
