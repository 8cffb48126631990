package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.family.seq2seq.search.SpecialTokens;
import io.crossmodal.family.seq2seq.search.TokenSelection;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Batched sampling on the trainer's DJL blocks, for the noisy-channel objectives: ancestral samples
 * from a seq2seq model (K per input) or from the prior, and beam n-best lists. Like
 * {@link GreedyDecoder}, every row of the batch advances in one step call; the token choice is
 * made on the host from softmax(logits / T) over the generatable ids ({@code <pad>}, {@code <s>}
 * and {@code <unk>} are never drawn). Draws come from the caller's {@link Random} in a fixed
 * order (step by step, row by row), so a seed fixes the samples. Gradients never flow through a
 * sample: the ids leave the device, and the reported log-probabilities are host doubles.
 */
public final class SequenceSampler {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SequenceSampler.class);
    private SequenceSampler() {}

    /**
     * A sampled sequence (ids without {@code <s>}/{@code </s>}; may be empty), its total
     * log-probability under the model at temperature 1, {@code </s>} included, i.e. the value
     * {@link Scorer} returns for it, and its log-probability under the distribution it was actually
     * drawn from ({@code logProposal}: the tempered {@code softmax(logits / T)} over the generatable
     * ids; equal to {@code logProb} for beam hypotheses, 0 for the arg max at T = 0). Importance
     * weights divide by the proposal, so they need {@code logProposal}, not {@code logProb}.
     */
    public record Sample(long[] tokens, double logProb, double logProposal) {
        public Sample(long[] tokens, double logProb) {
            this(tokens, logProb, logProb);
        }
    }

    @FunctionalInterface
    private interface Step {
        NDList apply(NDArray prev, NDArray h, NDArray c);
    }

    /**
     * {@code k} ancestral samples per source, source-major: rows {@code i*k .. i*k+k-1} belong to
     * {@code sources.get(i)}. A row that reaches {@code maxLen} tokens is ended with {@code </s>}
     * (scored), as core's {@code SamplingSearch} does.
     */
    public static List<Sample> sample(Seq2SeqBlock block, NDManager parent, List<long[]> sources, int k,
            double temperature, int maxLen, Random rnd) {
        check(k, temperature, maxLen);
        if (sources.isEmpty()) {
            return List.of();
        }
        List<long[]> rows = new ArrayList<>(sources.size() * k);
        for (long[] s : sources) {
            for (int j = 0; j < k; j++) {
                rows.add(s);
            }
        }
        try (NDManager m = parent.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDList src = Seq2SeqBatch.source(m, rows);
            Seq2SeqBlock.Encoded enc = block.encode(ps, src.get(0), src.get(1), src.get(2), false);
            return run(m, rows.size(), enc.initH(), enc.initC(), (prev, h, c) -> block.step(ps, prev, h, c, enc),
                    temperature, maxLen, rnd);
        }
    }

    /** {@code n} ancestral samples from the prior p(y) (an unconditional LM starting from zero state). */
    public static List<Sample> samplePrior(PriorBlock prior, NDManager parent, int n, double temperature, int maxLen,
            Random rnd) {
        check(1, temperature, maxLen);
        if (n == 0) {
            return List.of();
        }
        try (NDManager m = parent.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            return run(m, n, null, null, (prev, h, c) -> prior.step(ps, prev, h, c), temperature, maxLen, rnd);
        }
    }

    /**
     * Beam search n-best per source (core's {@link BeamSearch} over {@link DjlStepModel}), best
     * first; an input may get fewer than {@code nBest} hypotheses. Deterministic.
     */
    public static List<List<Sample>> beam(Seq2SeqBlock block, NDManager parent, List<long[]> sources, int width,
            int nBest, int maxLen) {
        if (sources.isEmpty()) {
            return List.of();
        }
        try (DjlStepModel model = new DjlStepModel(block, parent)) {
            List<List<Hypothesis>> found = new BeamSearch(width, nBest, maxLen).search(model, sources.toArray(long[][]::new));
            List<List<Sample>> out = new ArrayList<>(found.size());
            for (List<Hypothesis> hs : found) {
                out.add(hs.stream().map(h -> new Sample(h.tokens(), h.logProb())).toList());
            }
            return out;
        }
    }

    private static void check(int k, double temperature, int maxLen) {
        if (k < 1 || !(temperature >= 0) || maxLen < 1) {
            throw new IllegalArgumentException("need k >= 1, temperature >= 0, maxLen >= 1; got " + k + ", "
                    + temperature + ", " + maxLen);
        }
    }

    private static List<Sample> run(NDManager m, int n, NDArray h0, NDArray c0, Step step, double temperature,
            int maxLen, Random rnd) {
        NDArray prev = m.full(new Shape(n), Vocabulary.BOS, DataType.INT64);
        NDArray h = h0;
        NDArray c = c0;
        long[][] out = new long[n][maxLen];
        int[] len = new int[n];
        Arrays.fill(len, -1);
        double[] logProb = new double[n];
        double[] logProposal = new double[n];
        long[] next = new long[n];
        int finished = 0;
        // step t feeds the t-th token; a row that already holds maxLen tokens must end here
        for (int t = 0; t <= maxLen && finished < n; t++) {
            NDList o = step.apply(prev, h, c);
            float[] logits = o.get(0).toFloatArray();
            int v = logits.length / n;
            for (int i = 0; i < n; i++) {
                if (len[i] >= 0) {
                    next[i] = Vocabulary.PAD;
                    continue;
                }
                int id = t == maxLen ? Vocabulary.EOS : draw(logits, i * v, v, temperature, rnd);
                if (id < 0) {
                    // non-finite logits for this row: end it empty, which every caller drops like an empty sample
                    LOG.warnf("sampling row %d at position %d: non-finite logits, the row is dropped", i, t);
                    len[i] = 0;
                    logProb[i] = Double.NaN;
                    finished++;
                    next[i] = Vocabulary.PAD;
                    continue;
                }
                logProb[i] += logits[i * v + id] - logSumExp(logits, i * v, v);
                if (t < maxLen && temperature > 0) {
                    logProposal[i] += logProposal(logits, i * v, v, id, temperature);
                }
                if (id == Vocabulary.EOS) {
                    len[i] = t;
                    finished++;
                    next[i] = Vocabulary.PAD;
                } else {
                    out[i][t] = id;
                    next[i] = id;
                }
            }
            o.get(0).close();
            prev.close();
            prev = m.create(next.clone());
            h = o.get(1);
            c = o.get(2);
        }
        List<Sample> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            result.add(new Sample(Arrays.copyOf(out[i], len[i]), logProb[i], logProposal[i]));
        }
        return result;
    }

    /**
     * Draws one id from softmax(logits / temperature) restricted to the generatable ids, using one
     * {@code rnd.nextDouble()}. Temperature 0 is the arg max (ties to the lower id), which is also
     * the limit of small temperatures.
     */
    public static int draw(float[] logits, int offset, int vocab, double temperature, Random rnd) {
        int best = -1;
        for (int id = 0; id < vocab; id++) {
            if (SpecialTokens.generatable(id) && (best < 0 || logits[offset + id] > logits[offset + best])) {
                best = id;
            }
        }
        if (temperature == 0) {
            return best;
        }
        return TokenSelection.sample(logits, offset, vocab, temperature, rnd::nextDouble);
    }

    /**
     * log of the probability with which {@link #draw} picks {@code id}: the log-softmax of
     * {@code logits / T} over the generatable ids only (reserved ids are never drawn). A row ended at
     * {@code maxLen} gets its {@code </s>} by rule, probability 1, so it adds nothing.
     */
    static double logProposal(float[] logits, int offset, int vocab, int id, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < vocab; k++) {
            if (SpecialTokens.generatable(k)) {
                max = Math.max(max, logits[offset + k] / temperature);
            }
        }
        double s = 0;
        for (int k = 0; k < vocab; k++) {
            if (SpecialTokens.generatable(k)) {
                s += Math.exp(logits[offset + k] / temperature - max);
            }
        }
        return logits[offset + id] / temperature - max - Math.log(s);
    }

    /** log sum_v exp(logits[v]) over the whole row (the normaliser of the model's log-softmax). */
    static double logSumExp(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int id = 0; id < vocab; id++) {
            max = Math.max(max, logits[offset + id]);
        }
        double s = 0;
        for (int id = 0; id < vocab; id++) {
            s += Math.exp(logits[offset + id] - max);
        }
        return max + Math.log(s);
    }
}
