package io.crossmodal.trainer.family.pvae.train;

import io.crossmodal.runtime.io.AtomicFiles;
import io.crossmodal.runtime.io.Json;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import io.crossmodal.trainer.family.pvae.data.DigitImage;
import io.crossmodal.trainer.family.pvae.data.Pairing;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.pvae.model.PvaeBatch;
import io.crossmodal.trainer.family.pvae.model.PvaeLoss;
import io.crossmodal.trainer.family.pvae.model.PvaeNet;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.report.LearningCurves;
import io.crossmodal.trainer.train.AdamMoments;
import io.crossmodal.trainer.train.ComponentTrainer.EpochStats;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link PvaeNet} with Adam for a fixed number of epochs. After every epoch it writes
 * the parameters and a state file (epoch, steps, history) atomically under
 * {@code runDir/checkpoints}, with Adam's state ({@link AdamMoments}); a run started again over the
 * same directory resumes after the last finished epoch exactly as an uninterrupted run goes on (the
 * engine's random generator is seeded per epoch for the same reason). Per step, every temporary lives in a step
 * manager ({@link AdamStep}), so memory stays flat over a run. The held-out curve is the loss on test pairs with
 * posterior means instead of samples: it is drawn, never used to choose a model.
 */
public final class PvaeTrainer {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PvaeTrainer.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Resumable state next to the parameters. */
    public record State(int epoch, long step, double seconds, List<EpochStats> history) {}

    public record Result(PvaeNet net, List<EpochStats> history, long steps, double seconds) {}

    private final PvaeConfig cfg;
    private final PvaeData data;
    private final ProgressListener progress;

    public PvaeTrainer(PvaeConfig cfg, PvaeData data, ProgressListener progress) {
        this.cfg = cfg;
        this.data = data;
        this.progress = progress;
    }

    public Result train(NDManager manager, Path runDir) throws IOException {
        Engine.getInstance().setRandomSeed((int) cfg.seed());
        int speechIn = data.frames() * data.melBins();
        PvaeNet net = new PvaeNet(cfg, speechIn, manager);
        Path ckpt = runDir.resolve("checkpoints");
        State state = readState(ckpt);
        if (state != null) {
            loadParams(net, ckpt.resolve("last.params"));
        } else {
            state = new State(0, 0, 0, List.of());
        }
        Pairing pairing = new Pairing(digits(data.speechTrain()), imageDigits(data.imageTrain()), cfg.usesSpeech(),
                cfg.usesImages(), cfg.pairedPerDigit(), cfg.seed());
        Pairing heldOut = new Pairing(digits(data.speechTest()), imageDigits(data.imageTest()), cfg.usesSpeech(),
                cfg.usesImages(), 0, 12345);
        AdamStep adam = new AdamStep((float) cfg.learningRate());
        AdamMoments savedAdam = state.epoch() > 0
                ? AdamMoments.forResume(ckpt.resolve(AdamMoments.FILE), state.step(), cfg.variant()) : null;
        if (savedAdam != null) {
            adam.restore(net.parameters(), savedAdam);
        }
        PvaeLoss loss = new PvaeLoss(cfg);
        List<EpochStats> history = new ArrayList<>(state.history());
        int stepsPerEpoch = pairing.stepsPerEpoch(cfg.batchSize());
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
            // the posterior samples of this epoch do not depend on how many epochs this JVM ran before
            Engine.getInstance().setRandomSeed((int) (cfg.seed() * 1_000_003L + epoch));
            double lossSum = 0;
            int n = 0;
            int skipped = 0;
            Map<String, Double> termSums = new LinkedHashMap<>();
            for (Pairing.Step s : pairing.epoch(cfg.batchSize(), rnd)) {
                boolean finite;
                try (NDManager m = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    PvaeLoss.Terms t = loss.compute(net, batch(m, s, data, cfg), true);
                    float value = t.total().getFloat();
                    finite = Float.isFinite(value);
                    if (finite) {
                        gc.backward(t.total());
                        lossSum += value;
                        n++;
                        accumulate(termSums, t);
                    }
                }
                finite = finite && adam.step(net.parameters(), manager);
                if (!finite) {
                    skipped++;
                    LOG.warnf("%s: non-finite loss or gradient at step %d, update skipped (%d so far)", cfg.variant(), step + 1,
                            skipped);
                }
                step++;
                double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
                emit("train", epoch, step, totalSteps, Map.of("loss", lossSum / n), Map.of(), elapsed,
                        eta(start, step - firstStep, totalSteps - step), "");
            }
            double dev = heldOutLoss(net, loss, heldOut, manager);
            double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
            history.add(new EpochStats(epoch, step, n == 0 ? Double.NaN : lossSum / n, dev, cfg.learningRate(), elapsed));
            state = new State(epoch, step, elapsed, List.copyOf(history));
            saveParams(net, ckpt.resolve("last.params"));
            adam.export(net.parameters(), step).write(ckpt.resolve(AdamMoments.FILE));
            writeState(ckpt, state); // last: it commits the epoch
            Map<String, Double> terms = new LinkedHashMap<>();
            int steps = n;
            termSums.forEach((k, v) -> terms.put(k, v / steps));
            emit("eval", epoch, step, totalSteps, terms, Map.of("held_out_loss", dev), elapsed,
                    eta(start, step - firstStep, totalSteps - step), "epoch " + epoch + " done");
        }
        LearningCurves.write(Map.of(cfg.variant(), history), Map.of(cfg.variant(), "held-out loss (test pairs, posterior means)"),
                runDir.resolve("learning-curves.png"));
        emit("done", cfg.epochs(), step, totalSteps, Map.of(), Map.of(), state.seconds(), 0, "trained " + cfg.variant());
        return new Result(net, history, step, state.seconds());
    }

    private static void accumulate(Map<String, Double> sums, PvaeLoss.Terms t) {
        add(sums, "elbo", t.elbo());
        add(sums, "coherence", t.coherence());
        add(sums, "contrast", t.contrast());
        add(sums, "unimodal", t.unimodal());
    }

    private static void add(Map<String, Double> sums, String k, double v) {
        if (!Double.isNaN(v)) {
            sums.merge(k, v, Double::sum);
        }
    }

    private double heldOutLoss(PvaeNet net, PvaeLoss loss, Pairing heldOut, NDManager manager) {
        List<Pairing.Step> steps = heldOut.epoch(Math.min(500, Math.max(heldOut.pairs(),
                Math.max(heldOut.soloSpeech(), heldOut.soloImages()))), new Random(7));
        try (NDManager m = manager.newSubManager()) {
            PvaeConfig all = cfg.withTerms(cfg.elbo(), cfg.coherence(), cfg.contrast(), new PvaeConfig.Term(true, 1));
            return new PvaeLoss(all).compute(net, batch(m, steps.get(0), data, data.speechTest(), data.imageTest()), false)
                    .total().getFloat();
        }
    }

    /** Builds the batch arrays of one training step. */
    static PvaeBatch batch(NDManager m, Pairing.Step s, PvaeData data, PvaeConfig cfg) {
        return batch(m, s, data, data.speechTrain(), data.imageTrain());
    }

    /** Builds the batch arrays of one step whose indices refer to the given lists. */
    public static PvaeBatch batch(NDManager m, Pairing.Step s, PvaeData data, List<SpokenDigit> speech, List<DigitImage> images) {
        return new PvaeBatch(speech(m, s.pairSpeech(), data, speech), images(m, s.pairImage(), images),
                speech(m, s.negSpeech(), data, speech), images(m, s.negImage(), images),
                speech(m, s.soloSpeech(), data, speech), images(m, s.soloImage(), images));
    }

    private static NDArray speech(NDManager m, int[] idx, PvaeData data, List<SpokenDigit> list) {
        if (idx == null) {
            return null;
        }
        int f = data.frames() * data.melBins();
        float[] flat = new float[idx.length * f];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(data.normalized(list.get(idx[k])), 0, flat, k * f, f);
        }
        return m.create(flat, new Shape(idx.length, f));
    }

    private static NDArray images(NDManager m, int[] idx, List<DigitImage> list) {
        if (idx == null) {
            return null;
        }
        float[] flat = new float[idx.length * PvaeNet.IMAGE_IN];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(list.get(idx[k]).pixels(), 0, flat, k * PvaeNet.IMAGE_IN, PvaeNet.IMAGE_IN);
        }
        return m.create(flat, new Shape(idx.length, PvaeNet.IMAGE_IN));
    }

    static int[] digits(List<SpokenDigit> s) {
        return s.stream().mapToInt(SpokenDigit::digit).toArray();
    }

    static int[] imageDigits(List<DigitImage> s) {
        return s.stream().mapToInt(DigitImage::digit).toArray();
    }

    private void emit(String phase, int epoch, long step, long total, Map<String, Double> losses, Map<String, Double> dev,
            double elapsed, double eta, String message) {
        progress.onProgress(new ProgressEvent(cfg.variant(), phase, epoch, cfg.epochs(), step, total, losses, dev, elapsed,
                eta, message));
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

    public static void saveParams(PvaeNet net, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(net.parameters().size());
            for (Map.Entry<String, NDArray> p : net.parameters().entrySet()) {
                float[] v = p.getValue().toFloatArray();
                out.writeUTF(p.getKey());
                out.writeInt(v.length);
                for (float x : v) {
                    out.writeFloat(x);
                }
            }
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    public static void loadParams(PvaeNet net, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            if (n != net.parameters().size()) {
                throw new IOException(file + ": " + n + " parameters, the model has " + net.parameters().size()
                        + " (was it trained with another variant or size?)");
            }
            for (Map.Entry<String, NDArray> p : net.parameters().entrySet()) {
                String name = in.readUTF();
                int len = in.readInt();
                if (!name.equals(p.getKey()) || len != p.getValue().size()) {
                    throw new IOException(file + ": parameter " + name + "[" + len + "] does not match " + p.getKey());
                }
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    v[i] = in.readFloat();
                }
                p.getValue().set(v);
            }
        }
    }
}
