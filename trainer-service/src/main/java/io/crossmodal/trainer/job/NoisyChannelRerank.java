package io.crossmodal.trainer.job;

import io.crossmodal.family.seq2seq.eval.ErrorRates;
import io.crossmodal.family.seq2seq.eval.Evaluator;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Scorer;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Noisy-channel reranking at test time (docs/NOISY_CHANNEL.md): the n-best list of one direction's
 * beam search (the served ONNX graphs) rescored with the other models (the trainer's DJL blocks,
 * no gradient). G2P, x = pronunciation hypotheses for spelling y: {@code log p(x|y) + λ log q(y|x)};
 * P2G, y = spelling hypotheses for pronunciation x: {@code log q(y|x) + λ (log p(x|y) + log p(y))}.
 * λ = 0 is the plain n-best top; λ is chosen on the dev words (lowest PER, the first listed on a tie),
 * never on test.
 */
public final class NoisyChannelRerank {
    private NoisyChannelRerank() {}

    /** The chosen λ, dev PER for every λ tried, and test error rates with the chosen λ and with λ = 0. */
    public record Outcome(String component, double lambda, Map<Double, Double> devPer, ErrorRates test, ErrorRates plain) {}

    /** n-best lists per word key (spelling for g2p, space-joined pronunciation for p2g) with the two extra scores. */
    private record Scored(List<List<String>> hyps, double[] own, double[] other) {}

    public static Outcome run(JobConfig cfg, Seq2SeqJob.TrainedModels models, String component, Seq2SeqPredictor predictor) {
        JobConfig.Rerank rr = cfg.semi().rerank();
        Seq2SeqData data = models.data;
        Map<String, List<List<String>>> devRefs = Evaluation.references(data, component, SplitName.DEV);
        Map<String, List<List<String>>> testRefs = Evaluation.references(data, component, SplitName.TEST);
        Map<String, Scored> dev = score(cfg, models, component, predictor, devRefs.keySet(), rr.nBest());
        Map<String, Scored> test = score(cfg, models, component, predictor, testRefs.keySet(), rr.nBest());
        Map<Double, Double> devPer = new LinkedHashMap<>();
        double best = rr.lambdas().get(0);
        for (double l : rr.lambdas()) {
            double per = Evaluator.evaluate(pick(dev, l), devRefs).per();
            devPer.put(l, per);
            if (per < devPer.get(best)) {
                best = l;
            }
        }
        return new Outcome(component, best, devPer, Evaluator.evaluate(pick(test, best), testRefs),
                Evaluator.evaluate(pick(test, 0), testRefs));
    }

    /** The top hypothesis of each word under {@code own + λ other}. */
    static Map<String, List<String>> pick(Map<String, Scored> scored, double lambda) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        scored.forEach((k, s) -> {
            int best = -1;
            for (int i = 0; i < s.hyps().size(); i++) {
                if (best < 0 || s.own()[i] + lambda * s.other()[i] > s.own()[best] + lambda * s.other()[best]) {
                    best = i;
                }
            }
            out.put(k, best < 0 ? List.of() : s.hyps().get(best));
        });
        return out;
    }

    private static Map<String, Scored> score(JobConfig cfg, Seq2SeqJob.TrainedModels models, String component,
            Seq2SeqPredictor predictor, java.util.Collection<String> keys, int nBest) {
        boolean g2p = component.equals("g2p");
        Seq2SeqData data = models.data;
        Function<String, List<String>> toSymbols = g2p ? Vocabulary::graphemes : Seq2SeqData::symbols;
        SearchOptions opts = SearchOptions.beam(nBest, nBest).withMaxLength(cfg.model().maxOutputLength());
        Seq2SeqBlock g2pBlock = (Seq2SeqBlock) models.models.get("g2p").getBlock();
        Seq2SeqBlock p2gBlock = (Seq2SeqBlock) models.models.get("p2g").getBlock();
        PriorBlock priorBlock = (PriorBlock) models.models.get("prior").getBlock();
        var manager = models.models.get("g2p").getNDManager();
        Map<String, Scored> out = new LinkedHashMap<>();
        List<String> readable = new ArrayList<>();
        for (String k : keys) {
            try {
                predictor.sourceIds(toSymbols.apply(k));
                readable.add(k);
            } catch (InvalidInputException unreadable) {
                out.put(k, new Scored(List.of(), new double[0], new double[0])); // scored as no answer, as Evaluation does
            }
        }
        int chunk = 128;
        for (int i = 0; i < readable.size(); i += chunk) {
            List<String> part = readable.subList(i, Math.min(readable.size(), i + chunk));
            List<List<ScoredSequence>> beams = predictor.transduce(part.stream().map(toSymbols).toList(), opts);
            // one row per non-empty hypothesis: (spelling ids, pronunciation ids)
            List<long[]> ys = new ArrayList<>();
            List<long[]> xs = new ArrayList<>();
            for (int j = 0; j < part.size(); j++) {
                List<String> src = toSymbols.apply(part.get(j));
                for (ScoredSequence h : beams.get(j)) {
                    if (!h.symbols().isEmpty()) {
                        ys.add(data.graphemes.encode(g2p ? src : h.symbols()));
                        xs.add(data.phonemes.encode(g2p ? h.symbols() : src));
                    }
                }
            }
            double[] other;
            if (g2p) {
                other = Scorer.conditional(p2gBlock, manager, xs, ys); // log q(y|x)
            } else {
                double[] px = Scorer.conditional(g2pBlock, manager, ys, xs);
                double[] py = Scorer.prior(priorBlock, manager, ys);
                other = new double[px.length];
                for (int r = 0; r < px.length; r++) {
                    other[r] = px[r] + py[r]; // log p(x|y) + log p(y)
                }
            }
            int row = 0;
            for (int j = 0; j < part.size(); j++) {
                List<List<String>> hyps = new ArrayList<>();
                List<Double> own = new ArrayList<>();
                List<Double> oth = new ArrayList<>();
                for (ScoredSequence h : beams.get(j)) {
                    if (!h.symbols().isEmpty()) {
                        hyps.add(h.symbols());
                        own.add(h.logProb());
                        oth.add(other[row++]);
                    }
                }
                out.put(part.get(j), new Scored(hyps, own.stream().mapToDouble(Double::doubleValue).toArray(),
                        oth.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        return out;
    }
}
