package io.crossmodal.trainer.family.vqvae.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.io.AtomicFiles;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.pvae.train.AdamStep;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeLoss;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.report.LearningCurves;
import io.crossmodal.trainer.train.AdamMoments;
import io.crossmodal.trainer.train.ComponentTrainer.EpochStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link VqvaeNet} with Adam (the PVAE's {@link AdamStep}: per-step temporaries freed) for
 * a fixed number of epochs over the FSDD training takes, batches shuffled by the job's seed. After
 * every epoch the arrays (codebook included) and a state file go atomically to
 * {@code runDir/checkpoints}; a run started again over the same directory resumes after the last
 * finished epoch with Adam's state ({@link AdamMoments}) and the codebook upkeep's EMA averages,
 * dead-code clocks and counter ({@link UpkeepState}) restored; batches and jitter draw from a
 * per-epoch {@link Random}, so a resumed run repeats an uninterrupted one bit for bit. The held-out curve is the
 * teacher-forced loss on the test takes without jitter or sampling; it is drawn, never used to choose.
 */
public final class VqvaeTrainer {

    private static final ObjectMapper JSON = Json.MAPPER;

    public record State(int epoch, long step, double seconds, List<EpochStats> history) {}

    public record Result(VqvaeNet net, List<EpochStats> history, long steps, double seconds, int reinitialisedCodes) {}

    private final VqvaeConfig cfg;
    private final VqvaeData data;
    private final ProgressListener progress;
    private final String label;

    public VqvaeTrainer(VqvaeConfig cfg, VqvaeData data, ProgressListener progress, String label) {
        this.cfg = cfg;
        this.data = data;
        this.progress = progress;
        this.label = label;
    }

    public Result train(NDManager manager, Path runDir) throws IOException {
        Engine.getInstance().setRandomSeed((int) cfg.seed());
        VqvaeNet net = new VqvaeNet(cfg, data.speakers().size(), manager);
        Path ckpt = runDir.resolve("checkpoints");
        Map<String, NDArray> saved = savedArrays(net);
        State state = readState(ckpt);
        if (state != null) {
            ParamsFile.load(saved, ckpt.resolve("last.params"));
        } else {
            state = new State(0, 0, 0, List.of());
        }
        AdamStep adam = new AdamStep((float) cfg.learningRate());
        AdamMoments savedAdam = state.epoch() > 0
                ? AdamMoments.forResume(ckpt.resolve(AdamMoments.FILE), state.step(), label) : null;
        if (savedAdam != null) {
            adam.restore(net.parameters(), savedAdam);
        }
        VqvaeLoss loss = new VqvaeLoss(cfg);
        CodebookUpkeep upkeep = net.codebook() == null ? null : new CodebookUpkeep(net.codebook().toFloatArray(), cfg.codes(),
                cfg.latentDim(), cfg.ema(), cfg.emaDecay(), cfg.deadCodeSteps());
        if (upkeep != null && state.epoch() > 0) {
            UpkeepState savedUpkeep = UpkeepState.forResume(ckpt.resolve(UpkeepState.FILE), state.step(), label);
            if (savedUpkeep != null) {
                upkeep.restore(savedUpkeep);
            }
        }
        List<EpochStats> history = new ArrayList<>(state.history());
        List<SpokenDigit> train = data.train();
        int stepsPerEpoch = (train.size() + cfg.batchSize() - 1) / cfg.batchSize();
        long totalSteps = (long) stepsPerEpoch * cfg.epochs();
        long step = state.step();
        long firstStep = step;
        long start = System.nanoTime();
        double secondsBefore = state.seconds();
        if (state.epoch() > 0) {
            emit("resume", state.epoch(), step, totalSteps, Map.of(), Map.of(), state.seconds(), Double.NaN,
                    "resumed after epoch " + state.epoch());
        }
        for (int epoch = state.epoch() + 1; epoch <= cfg.epochs(); epoch++) {
            Random rnd = new Random(cfg.seed() * 1_000_003L + epoch);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, rnd);
            double lossSum = 0;
            int n = 0;
            Map<String, Double> termSums = new LinkedHashMap<>();
            for (int s = 0; s < order.size(); s += cfg.batchSize()) {
                List<SpokenDigit> batch = new ArrayList<>();
                for (int i = s; i < Math.min(order.size(), s + cfg.batchSize()); i++) {
                    batch.add(train.get(order.get(i)));
                }
                try (NDManager m = manager.newSubManager()) {
                    long[] ids = null;
                    float[] ze = null;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray x = frames(m, batch, data);
                        VqvaeNet.Bottleneck b = net.bottleneck(x, true, rnd);
                        VqvaeLoss.Terms t = loss.compute(b, net.decode(b.z(), speakers(batch, data), x, true), x);
                        float value = t.total().getFloat();
                        if (Float.isFinite(value)) {
                            gc.backward(t.total());
                            lossSum += value;
                            n++;
                            add(termSums, "recon", t.value(t.recon()));
                            add(termSums, "codebook", t.value(t.codebook()));
                            add(termSums, "commitment", t.value(t.commitment()));
                            add(termSums, "kl", t.value(t.kl()));
                        }
                        if (b.ids() != null) {
                            ids = b.ids().toLongArray();
                            ze = b.ze().toFloatArray();
                        }
                    }
                    adam.step(net.parameters(), manager);
                    if (upkeep != null && ids != null) {
                        upkeep.update(ids, ze, net.codebook(), rnd);
                    }
                }
                step++;
                double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
                emit("train", epoch, step, totalSteps, Map.of("loss", n == 0 ? Double.NaN : lossSum / n), Map.of(), elapsed,
                        eta(start, step - firstStep, totalSteps - step), "");
            }
            double dev = heldOutLoss(net, loss, manager);
            double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
            history.add(new EpochStats(epoch, step, n == 0 ? Double.NaN : lossSum / n, dev, cfg.learningRate(), elapsed));
            state = new State(epoch, step, elapsed, List.copyOf(history));
            ParamsFile.save(saved, ckpt.resolve("last.params"));
            adam.export(net.parameters(), step).write(ckpt.resolve(AdamMoments.FILE));
            if (upkeep != null) {
                upkeep.export(step).write(ckpt.resolve(UpkeepState.FILE));
            }
            writeState(ckpt, state); // last: it commits the epoch
            Map<String, Double> terms = new LinkedHashMap<>();
            int steps = n;
            termSums.forEach((k, v) -> terms.put(k, v / steps));
            emit("eval", epoch, step, totalSteps, terms, Map.of("held_out_loss", dev), elapsed,
                    eta(start, step - firstStep, totalSteps - step), "epoch " + epoch + " done"
                            + (upkeep == null ? "" : ", codes re-initialised so far: " + upkeep.reinitialised()));
        }
        LearningCurves.write(Map.of(label, history), Map.of(label, "held-out loss (test takes, teacher-forced, no jitter)"),
                runDir.resolve("learning-curves.png"));
        emit("done", cfg.epochs(), step, totalSteps, Map.of(), Map.of(), state.seconds(), 0, "trained " + label);
        return new Result(net, history, step, state.seconds(), upkeep == null ? 0 : upkeep.reinitialised());
    }

    /** What a checkpoint holds: the trainable arrays and, when EMA keeps it out of them, the codebook. */
    public static Map<String, NDArray> savedArrays(VqvaeNet net) {
        Map<String, NDArray> all = new LinkedHashMap<>(net.parameters());
        if (net.codebook() != null) {
            all.putIfAbsent("codebook", net.codebook());
        }
        return all;
    }

    private double heldOutLoss(VqvaeNet net, VqvaeLoss loss, NDManager manager) {
        List<SpokenDigit> test = data.test();
        double sum = 0;
        int count = 0;
        for (int s = 0; s < test.size(); s += 100) {
            List<SpokenDigit> batch = test.subList(s, Math.min(test.size(), s + 100));
            try (NDManager m = manager.newSubManager()) {
                NDArray x = frames(m, batch, data);
                VqvaeNet.Bottleneck b = net.bottleneck(x, false, new Random(7));
                sum += loss.compute(b, net.decode(b.z(), speakers(batch, data), x, false), x).total().getFloat() * batch.size();
                count += batch.size();
            }
        }
        return sum / count;
    }

    /** Standardised frames [B, T, M] of a batch. */
    public static NDArray frames(NDManager m, List<SpokenDigit> batch, VqvaeData data) {
        int f = data.frames() * data.melBins();
        float[] flat = new float[batch.size() * f];
        for (int k = 0; k < batch.size(); k++) {
            System.arraycopy(data.normalized(batch.get(k)), 0, flat, k * f, f);
        }
        return m.create(flat, new Shape(batch.size(), data.frames(), data.melBins()));
    }

    public static int[] speakers(List<SpokenDigit> batch, VqvaeData data) {
        return batch.stream().mapToInt(d -> data.speakerIndex(d.speaker())).toArray();
    }

    private static void add(Map<String, Double> sums, String k, double v) {
        if (!Double.isNaN(v)) {
            sums.merge(k, v, Double::sum);
        }
    }

    private void emit(String phase, int epoch, long step, long total, Map<String, Double> losses, Map<String, Double> dev,
            double elapsed, double eta, String message) {
        progress.onProgress(new ProgressEvent(label, phase, epoch, cfg.epochs(), step, total, losses, dev, elapsed, eta, message));
    }

    private static double eta(long startNanos, long done, long remaining) {
        return done > 0 ? (System.nanoTime() - startNanos) / 1e9 / done * Math.max(0, remaining) : Double.NaN;
    }

    static State readState(Path dir) throws IOException {
        Path f = dir.resolve("state.json");
        return Files.exists(f) ? JSON.readValue(f.toFile(), State.class) : null;
    }

    private static void writeState(Path dir, State s) throws IOException {
        AtomicFiles.write(dir.resolve("state.json"), JSON.writeValueAsBytes(s));
    }
}
