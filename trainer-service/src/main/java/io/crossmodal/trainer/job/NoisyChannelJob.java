package io.crossmodal.trainer.job;

import io.crossmodal.runtime.io.Json;
import ai.djl.Model;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Scorer;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.report.LearningCurves;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.Elbo;
import io.crossmodal.trainer.train.Example;
import io.crossmodal.trainer.train.NoisyChannelTrainer;
import io.crossmodal.trainer.train.ParamIO;
import io.crossmodal.trainer.train.ResumableRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Semi-supervised noisy-channel training (METHODS.md section 1, docs/NOISY_CHANNEL.md): a
 * supervised warm-up of the three components by {@link Seq2SeqJob} for {@code semi.warmupEpochs},
 * then {@code semi.epochs} epochs of {@link NoisyChannelTrainer} steps, each taking one batch of
 * every enabled term (supervised, prior, wake, sleep). After every epoch it measures dev PER of
 * G2P and P2G (greedy), dev NLL/char of the prior and the ELBO on dev phoneme strings, and keeps
 * each component's best epoch (starting from the warm-up result, so the semi phase can only keep
 * or improve a component's dev metric). Returns the models in the shape {@link TrainingRun}
 * evaluates and exports.
 *
 * <p>Resumable: after every semi epoch it writes a {@link SemiCheckpoint} under
 * {@code checkpoints/semi/}; a rerun over the same run directory skips the finished warm-up (its
 * own checkpoints) and continues the semi phase after the last checkpointed epoch, with the same
 * parameters, Adam states, learning rates, generator states and batch orders, so that it ends
 * with the parameters an uninterrupted run ends with (docs/NOISY_CHANNEL.md, "Resuming").
 */
public final class NoisyChannelJob {
    private static final Logger LOG = Logger.getLogger(NoisyChannelJob.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final String COMPONENT = "semi";
    private static final List<String> PARTS = List.of("g2p", "p2g", "prior");

    /** One semi epoch as written to {@code semi-history.json}; epoch 0 is the state after the warm-up. */
    public record EpochRecord(int epoch, long step, Map<String, Double> losses, Map<String, Double> dev,
            Map<String, Integer> pseudoPairs, Map<String, Float> learningRates, double seconds) {}

    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    public NoisyChannelJob(ProgressListener progress, BooleanSupplier cancelled) {
        this.progress = progress;
        this.cancelled = cancelled;
    }

    public Seq2SeqJob.TrainedModels train(JobConfig cfg, Lexicon lexicon, Path runDir) throws IOException {
        if (!cfg.semiEnabled()) {
            throw new IllegalArgumentException("semi.enabled is false: use Seq2SeqJob");
        }
        Seq2SeqJob.TrainedModels warm = new Seq2SeqJob(progress, cancelled)
                .train(cfg.withEpochs(cfg.semi().warmupEpochs()), lexicon, runDir);
        // same models, but carrying the full config (reports and the bundle manifest record it)
        Seq2SeqJob.TrainedModels models = new Seq2SeqJob.TrainedModels(cfg, warm.data);
        models.models.putAll(warm.models);
        models.results.putAll(warm.results);
        try {
            semiPhase(cfg, models, runDir);
            return models;
        } catch (IOException | RuntimeException e) {
            models.close();
            throw e;
        }
    }

    private void semiPhase(JobConfig cfg, Seq2SeqJob.TrainedModels models, Path runDir) throws IOException {
        JobConfig.Semi semi = cfg.semi();
        JobConfig.Train tc = cfg.train();
        int maxLen = cfg.model().maxOutputLength();
        Seq2SeqData data = models.data;
        Model g2p = models.models.get("g2p");
        Model p2g = models.models.get("p2g");
        Model prior = models.models.get("prior");
        Seq2SeqBlock g2pBlock = (Seq2SeqBlock) g2p.getBlock();
        Seq2SeqBlock p2gBlock = (Seq2SeqBlock) p2g.getBlock();
        PriorBlock priorBlock = (PriorBlock) prior.getBlock();

        List<Example> paired = data.g2p(SplitName.PAIRED);
        List<long[]> ux = semi.readsUnpairedPhonemes() ? data.unpairedPhonemes() : List.of();
        List<long[]> uy = semi.readsUnpairedSpellings() ? data.unpairedSpellings() : List.of();
        if (semi.weights().supervised() > 0 && paired.isEmpty()) {
            throw new IllegalArgumentException("semi.weights.supervised > 0 but the paired split is empty");
        }
        if (semi.readsUnpairedPhonemes() && ux.isEmpty()) {
            throw new IllegalArgumentException("semi.weights.wake > 0 but the unpaired_phonemes split is empty");
        }
        if (semi.readsUnpairedSpellings() && uy.isEmpty()) {
            throw new IllegalArgumentException("the prior term or sleep from 'unpaired' needs spellings, but the"
                    + " unpaired_graphemes split is empty");
        }
        int b = semi.batchSize();
        long steps = semi.stepsPerEpoch() > 0 ? semi.stepsPerEpoch()
                : ceilDiv(Math.max(Math.max(ux.size(), uy.size()), ux.isEmpty() && uy.isEmpty() ? paired.size() : 0), b);
        steps = Math.max(1, steps);

        Map<String, List<List<String>>> g2pRefs = data.g2pReferences(SplitName.DEV, tc.devWords());
        Map<String, List<List<String>>> p2gRefs = data.p2gReferences(SplitName.DEV, tc.devWords());
        List<long[]> devSpellings = data.spellingIds(SplitName.DEV);
        List<long[]> elboXs = data.p2gReferences(SplitName.DEV, semi.elboWords()).keySet().stream()
                .map(k -> data.phonemes.encode(Seq2SeqData.symbols(k))).toList();
        if (semi.elboWords() == 0) {
            elboXs = List.of();
        }
        long elboSeed = cfg.seed() * 7_919L + 17;

        NoisyChannelTrainer.Settings settings = new NoisyChannelTrainer.Settings(semi.weights().supervised(),
                semi.weights().prior(), semi.weights().wake(), semi.weights().sleep(), semi.samples(),
                semi.temperature(), semi.wakeSearch().equals("beam"), semi.importanceWeighting(),
                semi.sleepSource().equals("prior"), b, tc.learningRate(), tc.clipNorm(), maxLen, cfg.seed() * 1_000_003L + 11,
                semi.weights().wakePosterior());
        // optionally continue each warm-up optimizer (Adam moments, decayed rate) instead of a fresh Adam
        Map<String, ComponentTrainer.OptimizerState> continueFrom = new LinkedHashMap<>();
        if (semi.continueOptimizer()) {
            for (String c : PARTS) {
                ComponentTrainer.OptimizerState o = models.results.get(c).optimizer();
                if (o != null) {
                    continueFrom.put(c, o);
                }
            }
        }
        Path ckpt = runDir.resolve("checkpoints").resolve("semi");
        String fingerprint = SemiCheckpoint.fingerprint(cfg);
        SemiCheckpoint resume = SemiCheckpoint.latest(ckpt);
        if (resume != null) {
            resume.checkFingerprint(fingerprint, SemiCheckpoint.file(ckpt, resume.progress().epoch()));
        }
        LOG.infof("semi-supervised phase: %d epochs x %d steps, batch %d, weights %s, |P|=%d |Ux|=%d |Uy|=%d",
                semi.epochs(), steps, b, semi.weights(), paired.size(), ux.size(), uy.size());

        long start = System.nanoTime();
        double secondsBefore = resume == null ? 0 : resume.progress().seconds();
        Map<String, Long> warmSteps = new LinkedHashMap<>();
        Map<String, Double> warmSeconds = new LinkedHashMap<>();
        Map<String, Integer> epochOffset = new LinkedHashMap<>();
        Map<String, List<ComponentTrainer.EpochStats>> history = new LinkedHashMap<>();
        for (String c : PARTS) {
            ComponentTrainer.Result r = models.results.get(c);
            warmSteps.put(c, r.steps());
            warmSeconds.put(c, r.seconds());
            epochOffset.put(c, r.history().isEmpty() ? 0 : r.history().get(r.history().size() - 1).epoch());
            history.put(c, new ArrayList<>(r.history()));
        }
        Map<String, List<ComponentTrainer.EpochStats>> semiHistory = new LinkedHashMap<>();
        PARTS.forEach(c -> semiHistory.put(c, new ArrayList<>()));
        List<EpochRecord> records = new ArrayList<>();
        try (NoisyChannelTrainer trainer = new NoisyChannelTrainer(g2p, p2g, prior, settings, continueFrom)) {
            Supplier<Map<String, Double>> evaluate = () -> {
                Map<String, Double> dev = new LinkedHashMap<>();
                dev.put("g2p.per", Seq2SeqJob.greedyErrors(g2p, g2pBlock, data.graphemes, data.phonemes, g2pRefs,
                        Vocabulary::graphemes, maxLen).per());
                dev.put("p2g.per", Seq2SeqJob.greedyErrors(p2g, p2gBlock, data.phonemes, data.graphemes, p2gRefs,
                        Seq2SeqData::symbols, maxLen).per());
                dev.put("prior.nll", priorNll(prior, priorBlock, devSpellings));
                return dev;
            };
            Map<String, Double> bestDev = new LinkedHashMap<>();
            Map<String, Integer> bestEpoch = new LinkedHashMap<>();
            Map<String, List<float[]>> best = new LinkedHashMap<>();
            ResumableRandom batchRnd = new ResumableRandom(cfg.seed() * 1_000_003L + 5);
            Map<String, Cycler<?>> cyclers = new LinkedHashMap<>();
            Cycler<Example> pairedBatches = new Cycler<>(semi.weights().supervised() > 0 ? paired : List.of(), batchRnd);
            Cycler<long[]> priorBatches = new Cycler<>(semi.weights().prior() > 0 ? uy : List.of(), batchRnd);
            Cycler<long[]> wakeBatches = new Cycler<>(ux, batchRnd);
            Cycler<long[]> sleepBatches = new Cycler<>(
                    semi.weights().sleep() > 0 && semi.sleepSource().equals("unpaired") ? uy : List.of(), batchRnd);
            cyclers.put("paired", pairedBatches);
            cyclers.put("prior", priorBatches);
            cyclers.put("wake", wakeBatches);
            cyclers.put("sleep", sleepBatches);
            long step;
            long total = semi.epochs() * steps;
            int firstEpoch;
            if (resume == null) {
                Map<String, Double> dev0 = evaluate.get();
                Elbo.Estimate e0 = elbo(trainer, elboXs, semi.samples(), elboSeed);
                putElbo(dev0, e0);
                for (String c : PARTS) {
                    bestDev.put(c, dev0.get(devKey(c)));
                    bestEpoch.put(c, models.results.get(c).bestEpoch());
                    best.put(c, ParamIO.snapshot(models.models.get(c).getBlock()));
                }
                records.add(new EpochRecord(0, 0, Map.of(), dev0, Map.of(), lrs(trainer), 0));
                emit("eval", 0, semi.epochs(), 0, total, Map.of(), dev0, 0, Double.NaN, "after warm-up");
                step = 0;
                firstEpoch = 1;
            } else {
                SemiCheckpoint.Progress p = resume.progress();
                for (String c : PARTS) {
                    Model model = models.models.get(c);
                    ParamIO.restore(model.getBlock(), ParamIO.ordered(model.getBlock(), resume.last().get(c)));
                    best.put(c, ParamIO.ordered(model.getBlock(), resume.best().get(c)));
                    history.get(c).addAll(p.history().get(c));
                    semiHistory.get(c).addAll(p.history().get(c));
                }
                trainer.restore(resume.trainerState());
                bestDev.putAll(p.bestDev());
                bestEpoch.putAll(p.bestEpoch());
                records.addAll(p.records());
                batchRnd.restore(p.batchRngState());
                for (Map.Entry<String, Cycler<?>> e : cyclers.entrySet()) {
                    e.getValue().restore(e.getKey(), p.cyclers().get(e.getKey()));
                }
                step = p.step();
                firstEpoch = p.epoch() + 1;
                LOG.infof("semi phase resumed after epoch %d (step %d) from %s", p.epoch(), step, ckpt);
                emit("resume", p.epoch(), semi.epochs(), step, total, Map.of(), Map.of(), secondsBefore, Double.NaN,
                        "resumed after semi epoch " + p.epoch());
            }
            final long firstStep = step;
            for (int epoch = firstEpoch; epoch <= semi.epochs(); epoch++) {
                Map<String, double[]> sums = new LinkedHashMap<>(); // term -> {sum, count}
                Map<String, Integer> pseudo = new LinkedHashMap<>(Map.of("wake", 0, "wake_dropped", 0, "sleep", 0,
                        "sleep_dropped", 0, "wake_posterior", 0));
                for (long i = 0; i < steps; i++) {
                    if (cancelled.getAsBoolean()) {
                        throw new ComponentTrainer.CancelledException("semi-supervised phase cancelled at step " + step);
                    }
                    NoisyChannelTrainer.StepResult r = trainer.step(new NoisyChannelTrainer.Batch(pairedBatches.next(b),
                            priorBatches.next(b), wakeBatches.next(b), sleepBatches.next(b)));
                    r.losses().forEach((k, v) -> {
                        double[] acc = sums.computeIfAbsent(k, x -> new double[2]);
                        acc[0] += v;
                        acc[1]++;
                    });
                    pseudo.merge("wake", r.wakePairs(), Integer::sum);
                    pseudo.merge("wake_dropped", r.wakeDropped(), Integer::sum);
                    pseudo.merge("sleep", r.sleepPairs(), Integer::sum);
                    pseudo.merge("sleep_dropped", r.sleepDropped(), Integer::sum);
                    pseudo.merge("wake_posterior", r.losses().containsKey(NoisyChannelTrainer.WAKE_POSTERIOR)
                            ? r.wakePairs() : 0, Integer::sum);
                    step++;
                    double ran = (System.nanoTime() - start) / 1e9;
                    emit("train", epoch, semi.epochs(), step, total, means(sums), Map.of(), secondsBefore + ran,
                            ran / (step - firstStep) * (total - step), "");
                }
                Map<String, Double> dev = evaluate.get();
                putElbo(dev, elbo(trainer, elboXs, semi.samples(), elboSeed));
                double ran = (System.nanoTime() - start) / 1e9;
                double elapsed = secondsBefore + ran;
                Map<String, Double> losses = means(sums);
                List<String> improved = new ArrayList<>();
                for (String c : PARTS) {
                    double v = dev.get(devKey(c));
                    int overall = epochOffset.get(c) + epoch;
                    ComponentTrainer.EpochStats stats = new ComponentTrainer.EpochStats(overall, warmSteps.get(c) + step,
                            trainLoss(c, losses), v, trainer.learningRate(c), warmSeconds.get(c) + elapsed);
                    history.get(c).add(stats);
                    semiHistory.get(c).add(stats);
                    if (v < bestDev.get(c)) {
                        bestDev.put(c, v);
                        bestEpoch.put(c, overall);
                        best.put(c, ParamIO.snapshot(models.models.get(c).getBlock()));
                        ParamIO.save(models.models.get(c).getBlock(), ckpt.resolve(c).resolve("best.params"));
                        improved.add(c);
                    } else {
                        trainer.setLearningRate(c, trainer.learningRate(c) * tc.lrDecay());
                    }
                }
                pseudo.put("nonfinite_skips_total", (int) trainer.nonFiniteSkips());
                records.add(new EpochRecord(epoch, step, losses, dev, pseudo, lrs(trainer), elapsed));
                writeHistory(runDir.resolve("semi-history.json"), records);
                checkpoint(ckpt, epoch, fingerprint, new SemiCheckpoint.Progress(epoch, step, elapsed, bestDev, bestEpoch,
                        records, semiHistory, batchRnd.state(), cyclerStates(cyclers), trainer.state()), models, best);
                emit("eval", epoch, semi.epochs(), step, total, losses, dev, elapsed,
                        ran / (step - firstStep) * (total - step),
                        improved.isEmpty() ? "no improvement" : "new best: " + improved);
            }
            SemiCheckpoint.keepNewest(ckpt);
            // Keep each component's best epoch (possibly the warm-up result), not the last one.
            for (String c : PARTS) {
                ParamIO.restore(models.models.get(c).getBlock(), best.get(c));
            }
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            for (String c : PARTS) {
                ComponentTrainer.Result warmResult = models.results.get(c);
                models.results.put(c, new ComponentTrainer.Result(bestDev.get(c), bestEpoch.get(c), warmSteps.get(c) + step,
                        warmSeconds.get(c) + seconds, false, List.copyOf(history.get(c)), warmResult.nonFiniteSkips(),
                        warmResult.firstNonFinite(), null));
            }
            Elbo.Estimate fin = elbo(trainer, elboXs, semi.samples(), elboSeed);
            if (fin.items() > 0) {
                models.extraMetrics.put("semi.dev.elbo", fin.elbo());
                models.extraMetrics.put("semi.dev.iw_elbo", fin.iwBound());
            }
            models.extraMetrics.put("semi.steps", step);
            models.extraMetrics.put("semi.nonfinite_skips", trainer.nonFiniteSkips());
            if (trainer.firstNonFinite() != null) {
                models.extraMetrics.put("semi.nonfinite_first", trainer.firstNonFinite());
                models.extraMetrics.put("semi.nonfinite_parameters", new java.util.TreeMap<>(trainer.nonFiniteParameters()));
            }
            models.extraMetrics.put("semi.seconds", seconds);
            Map<String, Double> done = new LinkedHashMap<>();
            PARTS.forEach(c -> done.put(devKey(c), bestDev.get(c)));
            putElbo(done, fin);
            emit("done", semi.epochs(), semi.epochs(), step, total, Map.of(), done, seconds, 0,
                    "best epochs " + bestEpoch);
            LearningCurves.write(Seq2SeqJob.histories(models), Seq2SeqJob.devNames(models), runDir.resolve("learning_curves.png"));
        }
    }

    /**
     * Writes the checkpoint of a finished semi epoch: the models' current parameters, each
     * component's best parameters so far, and everything in {@code progress}.
     */
    private static void checkpoint(Path dir, int epoch, String fingerprint, SemiCheckpoint.Progress progress,
            Seq2SeqJob.TrainedModels models, Map<String, List<float[]>> best) throws IOException {
        Map<String, Map<String, float[]>> last = new LinkedHashMap<>();
        Map<String, Map<String, float[]>> bestNamed = new LinkedHashMap<>();
        for (String c : PARTS) {
            ai.djl.nn.Block block = models.models.get(c).getBlock();
            last.put(c, ParamIO.named(block));
            Map<String, float[]> named = new LinkedHashMap<>();
            Iterator<float[]> values = best.get(c).iterator();
            block.getParameters().forEach(p -> named.put(p.getKey(), values.next()));
            bestNamed.put(c, named);
        }
        SemiCheckpoint.of(progress, fingerprint, last, bestNamed).write(dir, epoch);
    }

    private static Map<String, SemiCheckpoint.CyclerState> cyclerStates(Map<String, Cycler<?>> cyclers) {
        Map<String, SemiCheckpoint.CyclerState> out = new LinkedHashMap<>();
        cyclers.forEach((k, c) -> out.put(k, c.state()));
        return out;
    }

    private static String devKey(String component) {
        return component.equals("prior") ? "prior.nll" : component + ".per";
    }

    /** A component's training loss in a semi epoch: its supervised NLL/token, or its semi term when supervised is off. */
    private static double trainLoss(String c, Map<String, Double> losses) {
        String sup = NoisyChannelTrainer.SUPERVISED + "." + c;
        String own = switch (c) {
            case "g2p" -> NoisyChannelTrainer.WAKE;
            case "p2g" -> NoisyChannelTrainer.SLEEP;
            default -> NoisyChannelTrainer.PRIOR;
        };
        return losses.getOrDefault(sup, losses.getOrDefault(own, Double.NaN));
    }

    private static Elbo.Estimate elbo(NoisyChannelTrainer t, List<long[]> xs, int k, long seed) {
        return xs.isEmpty() ? new Elbo.Estimate(Double.NaN, Double.NaN, 0, 0) : t.elbo(xs, k, seed);
    }

    /** Adds the ELBO and the importance-weighted bound, when there was anything to estimate them on. */
    private static void putElbo(Map<String, Double> dev, Elbo.Estimate e) {
        if (e.items() > 0) {
            dev.put("elbo", e.elbo());
            dev.put("iw_elbo", e.iwBound());
        }
    }

    private static Map<String, Float> lrs(NoisyChannelTrainer t) {
        Map<String, Float> out = new LinkedHashMap<>();
        PARTS.forEach(c -> out.put(c, t.learningRate(c)));
        return out;
    }

    private static Map<String, Double> means(Map<String, double[]> sums) {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, v[0] / v[1]));
        return out;
    }

    /** Dev NLL per symbol ({@code </s>} counted) of the prior, as the supervised trainer measures it. */
    static double priorNll(Model model, PriorBlock block, List<long[]> dev) {
        if (dev.isEmpty()) {
            return Double.NaN;
        }
        double[] logp = Scorer.prior(block, model.getNDManager(), dev);
        double nll = 0;
        double tokens = 0;
        for (int i = 0; i < logp.length; i++) {
            nll -= logp[i];
            tokens += dev.get(i).length + 1;
        }
        return nll / tokens;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static void writeHistory(Path file, List<EpochRecord> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), records);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void emit(String phase, int epoch, int epochs, long step, long total, Map<String, Double> losses,
            Map<String, Double> dev, double elapsed, double eta, String msg) {
        progress.onProgress(new ProgressEvent(COMPONENT, phase, epoch, epochs, step, total, new LinkedHashMap<>(losses),
                new LinkedHashMap<>(dev), elapsed, eta, msg));
    }

    /**
     * Endless batches over a list: shuffled passes, the last batch of a pass may be smaller. The
     * pass's order is kept as indices (shuffling indices permutes exactly as shuffling the items
     * did), so a checkpoint can hold it.
     */
    static final class Cycler<T> {
        private final List<T> items;
        private final Random rnd;
        private List<Integer> order = List.of();
        private int pos;

        Cycler(List<T> items, Random rnd) {
            this.items = items;
            this.rnd = rnd;
        }

        List<T> next(int n) {
            if (items.isEmpty()) {
                return List.of();
            }
            if (pos >= order.size()) {
                List<Integer> shuffled = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    shuffled.add(i);
                }
                Collections.shuffle(shuffled, rnd);
                order = shuffled;
                pos = 0;
            }
            int end = Math.min(order.size(), pos + n);
            List<T> out = new ArrayList<>(end - pos);
            for (int i = pos; i < end; i++) {
                out.add(items.get(order.get(i)));
            }
            pos = end;
            return out;
        }

        SemiCheckpoint.CyclerState state() {
            return new SemiCheckpoint.CyclerState(order.stream().mapToInt(Integer::intValue).toArray(), pos);
        }

        /** Continues a pass from a {@link #state()}; refuses one over a list of another size. */
        void restore(String term, SemiCheckpoint.CyclerState s) {
            if (s == null) {
                throw new IllegalArgumentException("the semi checkpoint has no batch order for the " + term + " term");
            }
            int[] o = s.order();
            boolean valid = (o.length == 0 || o.length == items.size()) && s.pos() >= 0 && s.pos() <= o.length
                    && java.util.Arrays.stream(o).allMatch(i -> i >= 0 && i < items.size());
            if (!valid) {
                throw new IllegalArgumentException("the semi checkpoint's batch order for the " + term + " term ("
                        + o.length + " items) does not fit its " + items.size() + " items: was the data changed?");
            }
            order = java.util.Arrays.stream(o).boxed().toList();
            pos = s.pos();
        }
    }
}
