package io.crossmodal.trainer.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Scorer;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.SequenceSampler;
import io.crossmodal.trainer.model.SequenceSampler.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One update of the semi-supervised noisy-channel objective (docs/NOISY_CHANNEL.md, METHODS.md
 * section 1) over the three models: the prior p(y) ({@code prior}), the channel p(x|y)
 * ({@code g2p}, parameters θ) and the posterior q(y|x) ({@code p2g}, parameters φ). Each model has
 * its own DJL {@link Trainer} (Adam, global-norm clipping, as in {@link ComponentTrainer}).
 *
 * <p>A step takes one batch of each enabled term, draws the samples it needs on the host without
 * gradient, then builds {@code sum_term weight_term * loss_term} in one gradient collector, and
 * steps only the models that some enabled term trains:
 * <ul>
 * <li>supervised: NLL of p(y), p(x|y) and q(y|x) on paired words (each per token) — all three;</li>
 * <li>prior: NLL of p(y) on unpaired spellings — prior only;</li>
 * <li>wake: y_k ~ q(y|x) (or beam n-best) for unpaired x, weighted NLL of p(x|y_k) — channel only;</li>
 * <li>sleep: y from unpaired spellings (or ~ p(y)), x ~ p(x|y), NLL of q(y|x) — posterior only.</li>
 * </ul>
 * A model that no enabled term trains is never stepped, so its parameters stay bit-identical.
 */
public final class NoisyChannelTrainer implements AutoCloseable {
    public static final String SUPERVISED = "supervised";
    public static final String PRIOR = "prior";
    public static final String WAKE = "wake";
    public static final String SLEEP = "sleep";
    /** The reweighted wake-sleep update of q on real unpaired phoneme strings. */
    public static final String WAKE_POSTERIOR = "wake_posterior";

    /**
     * @param batchSize number of spellings sampled from the prior per sleep step when {@code sleepFromPrior}
     * @param beam wake pseudo-pairs from beam n-best (width = nBest = samples) instead of ancestral samples
     * @param maxLen the longest sampled sequence (longer ones are ended with {@code </s>})
     */
    /**
     * @param wakePosteriorWeight weight of the reweighted wake-sleep update of q: on the real unpaired
     *        phoneme strings of the wake batch, the NLL of q(y_k|x) for the wake term's pseudo-spellings,
     *        weighted by the same detached normalised weights (always the importance/posterior weights)
     */
    public record Settings(double supervisedWeight, double priorWeight, double wakeWeight, double sleepWeight,
            int samples, double temperature, boolean beam, boolean importanceWeighting, boolean sleepFromPrior,
            int batchSize, float learningRate, float clipNorm, int maxLen, long seed, double wakePosteriorWeight) {
        public Settings(double supervisedWeight, double priorWeight, double wakeWeight, double sleepWeight,
                int samples, double temperature, boolean beam, boolean importanceWeighting, boolean sleepFromPrior,
                int batchSize, float learningRate, float clipNorm, int maxLen, long seed) {
            this(supervisedWeight, priorWeight, wakeWeight, sleepWeight, samples, temperature, beam, importanceWeighting,
                    sleepFromPrior, batchSize, learningRate, clipNorm, maxLen, seed, 0);
        }

        /** Whether a step draws pseudo-spellings for the unpaired phoneme strings (wake, or the q update on them). */
        boolean drawsWake() {
            return wakeWeight > 0 || wakePosteriorWeight > 0;
        }
    }

    /**
     * The inputs of one step; a term whose list is empty (or whose weight is 0) is skipped.
     *
     * @param paired paired words in the G2P direction (src = spelling, tgt = pronunciation)
     * @param priorSpellings unpaired spellings for the prior term
     * @param wakePhonemes unpaired phoneme strings x for the wake term
     * @param sleepSpellings unpaired spellings y for the sleep term (ignored when sleeping from the prior)
     */
    public record Batch(List<Example> paired, List<long[]> priorSpellings, List<long[]> wakePhonemes,
            List<long[]> sleepSpellings) {}

    /**
     * What one step did: the loss of each active term before its weight (per-token NLL; the
     * supervised one is the sum of its three per-token NLLs, also given as supervised.g2p etc.),
     * the models it stepped, and how many pseudo-pairs of each kind it trained on / dropped
     * (a sampled empty sequence cannot be a seq2seq source and is dropped).
     */
    public record StepResult(Map<String, Double> losses, Set<String> updated, int wakePairs, int wakeDropped,
            int sleepPairs, int sleepDropped) {}

    private final Model g2p;
    private final Model p2g;
    private final Model prior;
    private final Seq2SeqBlock g2pBlock;
    private final Seq2SeqBlock p2gBlock;
    private final PriorBlock priorBlock;
    private final Settings s;
    private final Map<String, float[]> lr = new LinkedHashMap<>();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NoisyChannelTrainer.class);
    private final Map<String, Trainer> trainers = new LinkedHashMap<>();
    /** Each trainer's Adam (DJL's Trainer does not hand its config back), for checkpoints. */
    private final Map<String, ResumableAdam> optimizers = new LinkedHashMap<>();
    /** Component updates skipped because their gradient was not finite. */
    private long nonFiniteSkips;
    /** component/parameter -> how many skipped updates had a non-finite gradient in it. */
    private final Map<String, Long> nonFiniteParams = new LinkedHashMap<>();
    private String firstNonFinite;
    private long steps;
    /** The normalised wake-term row weights of the last step (null: no wake rows), for tests. */
    double[] lastWakeWeights;
    /** Test seam: runs after the backward pass, before clipping (e.g. to inject a non-finite gradient). */
    java.util.function.Consumer<String> afterBackward = c -> {};
    private final NDManager manager;
    /** The sampling stream (wake samples, sleep dreams, prior samples); a checkpoint holds its state. */
    private final ResumableRandom rnd;

    public NoisyChannelTrainer(Model g2p, Model p2g, Model prior, Settings settings) {
        this(g2p, p2g, prior, settings, Map.of());
    }

    /**
     * @param continueFrom per component, the warm-up's optimizer (Adam moments and learning rate) to
     *        continue instead of a fresh Adam at {@code settings.learningRate()}; a component not in
     *        the map starts fresh
     */
    public NoisyChannelTrainer(Model g2p, Model p2g, Model prior, Settings settings,
            Map<String, ComponentTrainer.OptimizerState> continueFrom) {
        this.g2p = g2p;
        this.p2g = p2g;
        this.prior = prior;
        this.g2pBlock = (Seq2SeqBlock) g2p.getBlock();
        this.p2gBlock = (Seq2SeqBlock) p2g.getBlock();
        this.priorBlock = (PriorBlock) prior.getBlock();
        this.s = settings;
        this.rnd = new ResumableRandom(settings.seed());
        this.manager = g2p.getNDManager().newSubManager();
        for (String c : List.of("g2p", "p2g", "prior")) {
            ComponentTrainer.OptimizerState cont = continueFrom.get(c);
            float[] rate = cont != null ? cont.learningRate() : new float[] {settings.learningRate()};
            // initialize() keeps already initialised (e.g. warm-started) parameters; it only attaches gradients
            ai.djl.training.DefaultTrainingConfig config = cont != null ? cont.config() : ComponentTrainer.adam(rate);
            Trainer t = model(c).newTrainer(config);
            t.initialize(new Shape(1, 1));
            lr.put(c, rate);
            trainers.put(c, t);
            optimizers.put(c, (ResumableAdam) config.getOptimizer());
        }
    }

    /**
     * What a checkpoint needs to continue this trainer exactly: each component's Adam state (keyed
     * by parameter name) and learning rate, the sampling generator's state, the step count and the
     * non-finite skip counters. The parameters themselves are the models'.
     */
    public record State(Map<String, AdamMoments> adam, Map<String, Float> learningRates, long rngState, long steps,
            long nonFiniteSkips, Map<String, Long> nonFiniteParameters, String firstNonFinite) {}

    /** A copy of the state (host arrays, independent of later steps). */
    public State state() {
        Map<String, AdamMoments> adam = new LinkedHashMap<>();
        Map<String, Float> rates = new LinkedHashMap<>();
        for (String c : trainers.keySet()) {
            adam.put(c, adam(c).export(model(c).getBlock(), steps));
            rates.put(c, lr.get(c)[0]);
        }
        return new State(adam, rates, rnd.state(), steps, nonFiniteSkips, new LinkedHashMap<>(nonFiniteParams),
                firstNonFinite);
    }

    /** Continues from a {@link #state()} (the models' parameters are restored by the caller). */
    public void restore(State saved) {
        if (!saved.adam().keySet().equals(trainers.keySet()) || !saved.learningRates().keySet().equals(trainers.keySet())) {
            throw new IllegalArgumentException("trainer state for components " + saved.adam().keySet() + ", this trainer has "
                    + trainers.keySet());
        }
        for (String c : trainers.keySet()) {
            adam(c).restore(model(c).getBlock(), saved.adam().get(c));
            lr.get(c)[0] = saved.learningRates().get(c);
        }
        rnd.restore(saved.rngState());
        steps = saved.steps();
        nonFiniteSkips = saved.nonFiniteSkips();
        nonFiniteParams.clear();
        nonFiniteParams.putAll(saved.nonFiniteParameters());
        firstNonFinite = saved.firstNonFinite();
    }

    private ResumableAdam adam(String component) {
        return optimizers.get(component);
    }

    public float learningRate(String component) {
        return lr.get(component)[0];
    }

    public void setLearningRate(String component, float value) {
        lr.get(component)[0] = value;
    }

    public StepResult step(Batch b) {
        Map<String, Double> losses = new LinkedHashMap<>();
        Set<String> updated = new LinkedHashSet<>();
        boolean sup = s.supervisedWeight() > 0 && !b.paired().isEmpty();
        boolean pri = s.priorWeight() > 0 && !b.priorSpellings().isEmpty();

        // Samples and their scores first, outside the gradient collector: nothing flows through them.
        Wake wake = s.drawsWake() && !b.wakePhonemes().isEmpty() ? prepareWake(b.wakePhonemes()) : null;
        Sleep sleep = s.sleepWeight() > 0 && (s.sleepFromPrior() || !b.sleepSpellings().isEmpty())
                ? prepareSleep(b.sleepSpellings()) : null;
        boolean wakeOn = s.wakeWeight() > 0 && wake != null && !wake.ys.isEmpty();
        boolean wakeQOn = s.wakePosteriorWeight() > 0 && wake != null && !wake.ys.isEmpty();
        boolean sleepOn = sleep != null && !sleep.xs.isEmpty();
        steps++;
        if (!sup && !pri && !wakeOn && !wakeQOn && !sleepOn) {
            return new StepResult(losses, updated, 0, wake == null ? 0 : wake.dropped, 0, sleep == null ? 0 : sleep.dropped);
        }
        try (NDManager m = manager.newSubManager(); GradientCollector gc = trainers.get("g2p").newGradientCollector()) {
            List<NDArray> terms = new ArrayList<>();
            if (sup) {
                List<long[]> spell = b.paired().stream().map(Example::src).toList();
                List<long[]> phon = b.paired().stream().map(Example::tgt).toList();
                NDArray lg = perToken(trainers.get("g2p").forward(Seq2SeqBatch.pairs(m, spell, phon)));
                NDArray lp = perToken(trainers.get("p2g").forward(Seq2SeqBatch.pairs(m, phon, spell)));
                NDArray ly = perToken(trainers.get("prior").forward(Seq2SeqBatch.target(m, spell)));
                losses.put(SUPERVISED + ".g2p", (double) lg.getFloat());
                losses.put(SUPERVISED + ".p2g", (double) lp.getFloat());
                losses.put(SUPERVISED + ".prior", (double) ly.getFloat());
                NDArray term = lg.add(lp).add(ly);
                losses.put(SUPERVISED, (double) term.getFloat());
                terms.add(Scalars.mul(term, s.supervisedWeight()));
                updated.addAll(List.of("g2p", "p2g", "prior"));
            }
            if (pri) {
                NDArray term = perToken(trainers.get("prior").forward(Seq2SeqBatch.target(m, b.priorSpellings())));
                losses.put(PRIOR, (double) term.getFloat());
                terms.add(Scalars.mul(term, s.priorWeight()));
                updated.add("prior");
            }
            double[] logPxGivenY = null;
            if (wakeOn) {
                // θ only: the channel's NLL of x given each pseudo-spelling y_k, weighted per row
                NDList out = trainers.get("g2p").forward(Seq2SeqBatch.pairs(m, wake.ys, wake.xs));
                logPxGivenY = negate(out.get(1).toFloatArray());
                double[] w = Elbo.rowWeights(wake.item, wakeLogWeights(wake, logPxGivenY), s.importanceWeighting());
                lastWakeWeights = w;
                NDArray term = weighted(m, out.get(1), w, tokens(wake.xs));
                losses.put(WAKE, (double) term.getFloat());
                terms.add(Scalars.mul(term, s.wakeWeight()));
                updated.add("g2p");
            }
            if (wakeQOn) {
                // φ only, reweighted wake-sleep: q(y_k|x) on the real x, weighted by the same detached
                // normalised weights (host doubles), which always use p(y) p(x|y)
                if (logPxGivenY == null) {
                    logPxGivenY = Scorer.conditional(g2pBlock, m, wake.ys, wake.xs);
                }
                double[] w = Elbo.rowWeights(wake.item, wakeLogWeights(wake, logPxGivenY), true);
                NDList out = trainers.get("p2g").forward(Seq2SeqBatch.pairs(m, wake.xs, wake.ys));
                NDArray term = weighted(m, out.get(1), w, tokens(wake.ys));
                losses.put(WAKE_POSTERIOR, (double) term.getFloat());
                terms.add(Scalars.mul(term, s.wakePosteriorWeight()));
                updated.add("p2g");
            }
            if (sleepOn) {
                // φ only: q(y|x) by maximum likelihood on the dreamt pairs (x ~ p(x|y), y)
                NDArray term = perToken(trainers.get("p2g").forward(Seq2SeqBatch.pairs(m, sleep.xs, sleep.ys)));
                losses.put(SLEEP, (double) term.getFloat());
                terms.add(Scalars.mul(term, s.sleepWeight()));
                updated.add("p2g");
            }
            NDArray total = terms.get(0);
            for (int i = 1; i < terms.size(); i++) {
                total = total.add(terms.get(i));
            }
            gc.backward(total);
        }
        for (String c : updated) {
            afterBackward.accept(c);
            GradientClipping.Clip clip = GradientClipping.clipOrDiscard(model(c).getBlock(), s.clipNorm());
            if (clip.finite()) {
                trainers.get(c).step();
            } else {
                // the gradients were zeroed, so the next step of this component trains normally
                nonFiniteSkips++;
                clip.nonFinite().forEach(p -> nonFiniteParams.merge(c + "/" + p, 1L, Long::sum));
                if (firstNonFinite == null) {
                    firstNonFinite = "step " + steps + " " + c + ": " + String.join(",", clip.nonFinite());
                }
                LOG.warnf("%s: non-finite gradient (norm %s) at semi step %d in %s; update skipped, gradients"
                        + " discarded (%d skips so far)", c, clip.norm(), steps, clip.nonFinite(), nonFiniteSkips);
            }
        }
        return new StepResult(losses, updated, wake != null && !wake.ys.isEmpty() ? wake.ys.size() : 0,
                wake == null ? 0 : wake.dropped,
                sleepOn ? sleep.xs.size() : 0, sleep == null ? 0 : sleep.dropped);
    }

    /** How many component updates were skipped for a non-finite gradient so far. */
    public long nonFiniteSkips() {
        return nonFiniteSkips;
    }

    /** component/parameter -> skipped updates whose gradient was non-finite in that parameter. */
    public Map<String, Long> nonFiniteParameters() {
        return Map.copyOf(nonFiniteParams);
    }

    /** The first skipped update: its step, component and non-finite parameters (null: none yet). */
    public String firstNonFinite() {
        return firstNonFinite;
    }

    /** The wake term's log weights (see {@link Elbo#wakeLogWeights}): posterior over a beam list, IW over samples. */
    private double[] wakeLogWeights(Wake wake, double[] logPxGivenY) {
        return Elbo.wakeLogWeights(logPxGivenY, wake.logPy, wake.logProposal, s.beam());
    }

    /**
     * Monte-Carlo bounds on log p(x) for the given phoneme strings: {@code k} ancestral samples
     * y_k ~ q(y|x) at temperature 1 (a fresh generator from {@code seed}, so successive calls use
     * common random numbers), scored under all three models without gradient. Empty samples
     * (not scorable by the channel) are left out of their item's average.
     */
    public Elbo.Estimate elbo(List<long[]> xs, int k, long seed) {
        Random r = new Random(seed);
        List<double[]> perItem = new ArrayList<>();
        int chunk = 64;
        for (int i = 0; i < xs.size(); i += chunk) {
            List<long[]> part = xs.subList(i, Math.min(xs.size(), i + chunk));
            List<Sample> samples = SequenceSampler.sample(p2gBlock, manager, part, k, 1.0, s.maxLen(), r);
            List<long[]> ys = new ArrayList<>();
            List<long[]> xRows = new ArrayList<>();
            List<Integer> item = new ArrayList<>();
            List<Double> logQ = new ArrayList<>();
            for (int j = 0; j < samples.size(); j++) {
                Sample smp = samples.get(j);
                if (smp.tokens().length > 0) {
                    ys.add(smp.tokens());
                    xRows.add(part.get(j / k));
                    item.add(j / k);
                    logQ.add(smp.logProb());
                }
            }
            double[] logPy = Scorer.prior(priorBlock, manager, ys);
            double[] logPx = Scorer.conditional(g2pBlock, manager, ys, xRows);
            List<List<Double>> lw = new ArrayList<>();
            for (int j = 0; j < part.size(); j++) {
                lw.add(new ArrayList<>());
            }
            for (int row = 0; row < ys.size(); row++) {
                lw.get(item.get(row)).add(logPx[row] + logPy[row] - logQ.get(row));
            }
            for (List<Double> l : lw) {
                perItem.add(l.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        return Elbo.estimate(perItem);
    }

    private Model model(String c) {
        return switch (c) {
            case "g2p" -> g2p;
            case "p2g" -> p2g;
            default -> prior;
        };
    }

    /**
     * Summed NLL / token count of a block's forward output. Every number that enters the loss goes
     * through {@link Scalars}: DJL's {@code div(Number)} would leave the backward pass reading a
     * Java buffer that the garbage collector may have freed.
     */
    private static NDArray perToken(NDList out) {
        return Scalars.div(out.get(0), out.get(2).getFloat());
    }

    /** sum_r w_r nll_r / sum_r w_r tokens_r (see {@link Elbo#weightedTokens}). */
    static NDArray weighted(NDManager m, NDArray seqNll, double[] w, int[] tokens) {
        float[] wf = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            wf[r] = (float) w[r];
        }
        // m.create(wf) is safe: m keeps it (and its buffer) until after the backward pass
        return Scalars.div(seqNll.mul(m.create(wf)).sum(), (float) Elbo.weightedTokens(w, tokens));
    }

    private static double[] negate(float[] nll) {
        double[] out = new double[nll.length];
        for (int r = 0; r < nll.length; r++) {
            out[r] = -nll[r];
        }
        return out;
    }

    /** Target token counts ({@code </s>} included) of each row. */
    private static int[] tokens(List<long[]> tgt) {
        return tgt.stream().mapToInt(t -> t.length + 1).toArray();
    }

    /** logProposal: log q_T(y|x) of the samples (the distribution they were drawn from); unused over a beam list. */
    private record Wake(List<long[]> ys, List<long[]> xs, int[] item, double[] logProposal, double[] logPy, int dropped) {}

    private record Sleep(List<long[]> xs, List<long[]> ys, int dropped) {}

    private Wake prepareWake(List<long[]> xs) {
        int k = s.samples();
        List<List<Sample>> perItem = new ArrayList<>();
        if (s.beam()) {
            perItem = SequenceSampler.beam(p2gBlock, manager, xs, k, k, s.maxLen());
        } else {
            List<Sample> flat = SequenceSampler.sample(p2gBlock, manager, xs, k, s.temperature(), s.maxLen(), rnd);
            for (int i = 0; i < xs.size(); i++) {
                perItem.add(flat.subList(i * k, (i + 1) * k));
            }
        }
        List<long[]> ys = new ArrayList<>();
        List<long[]> xRows = new ArrayList<>();
        List<Integer> item = new ArrayList<>();
        List<Double> logQ = new ArrayList<>();
        int dropped = 0;
        for (int i = 0; i < xs.size(); i++) {
            for (Sample smp : perItem.get(i)) {
                if (smp.tokens().length == 0) {
                    dropped++;
                    continue;
                }
                ys.add(smp.tokens());
                xRows.add(xs.get(i));
                item.add(i);
                logQ.add(smp.logProposal());
            }
        }
        boolean weighs = s.importanceWeighting() || s.wakePosteriorWeight() > 0;
        double[] logPy = weighs ? Scorer.prior(priorBlock, manager, ys) : new double[ys.size()];
        return new Wake(ys, xRows, item.stream().mapToInt(Integer::intValue).toArray(),
                logQ.stream().mapToDouble(Double::doubleValue).toArray(), logPy, dropped);
    }

    private Sleep prepareSleep(List<long[]> spellings) {
        List<long[]> ys = new ArrayList<>();
        int dropped = 0;
        if (s.sleepFromPrior()) {
            for (Sample smp : SequenceSampler.samplePrior(priorBlock, manager, s.batchSize(), s.temperature(), s.maxLen(), rnd)) {
                if (smp.tokens().length == 0) {
                    dropped++;
                } else {
                    ys.add(smp.tokens());
                }
            }
        } else {
            ys.addAll(spellings);
        }
        List<Sample> dreams = SequenceSampler.sample(g2pBlock, manager, ys, 1, s.temperature(), s.maxLen(), rnd);
        List<long[]> xs = new ArrayList<>();
        List<long[]> keptYs = new ArrayList<>();
        for (int i = 0; i < ys.size(); i++) {
            if (dreams.get(i).tokens().length == 0) {
                dropped++;
            } else {
                xs.add(dreams.get(i).tokens());
                keptYs.add(ys.get(i));
            }
        }
        return new Sleep(xs, keptYs, dropped);
    }

    @Override
    public void close() {
        trainers.values().forEach(Trainer::close);
        manager.close();
    }
}
