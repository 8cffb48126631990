package io.crossmodal.trainer.train;

import io.crossmodal.runtime.io.AtomicFiles;
import io.crossmodal.runtime.io.Json;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Trains one component (a block whose forward returns summed NLL, per-sequence NLL, token count)
 * with Adam, global-norm gradient clipping, learning-rate decay and early stopping on a dev
 * metric. After every epoch it writes a checkpoint, so a crashed run resumes where it stopped.
 */
public final class ComponentTrainer {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Pads a batch of examples into the block's forward inputs. */
    @FunctionalInterface
    public interface BatchEncoder {
        NDList encode(NDManager manager, List<Example> batch);
    }

    /** A dev metric computed with the current parameters; lower is better (PER, or NLL per token). */
    @FunctionalInterface
    public interface DevMetric {
        double evaluate();
    }

    public record EpochStats(int epoch, long step, double trainLoss, double dev, double learningRate, double seconds) {}

    /** Resumable state, written next to the parameter checkpoint. */
    public record State(int epoch, long step, double bestDev, int bestEpoch, float learningRate, int badEpochs,
            double seconds, List<EpochStats> history) {}

    /**
     * @param nonFiniteSkips updates skipped (and their gradients discarded) because a gradient was not finite
     * @param firstNonFinite the parameters whose gradient was non-finite at the first skipped update (null: none)
     * @param optimizer the optimizer and learning rate at the end, for a phase that continues them (after
     *                  a resumed, already finished run: the checkpoint's Adam state)
     */
    public record Result(double bestDev, int bestEpoch, long steps, double seconds, boolean stoppedEarly,
            List<EpochStats> history, long nonFiniteSkips, String firstNonFinite, OptimizerState optimizer) {
        public Result(double bestDev, int bestEpoch, long steps, double seconds, boolean stoppedEarly,
                List<EpochStats> history) {
            this(bestDev, bestEpoch, steps, seconds, stoppedEarly, history, 0, null, null);
        }
    }

    /**
     * A trainer's optimizer (a {@link ResumableAdam} inside the {@link DefaultTrainingConfig}, its
     * moments keyed by parameter) and the learning-rate cell its tracker reads: a later
     * {@link Trainer} built from the same config continues Adam.
     */
    public record OptimizerState(DefaultTrainingConfig config, float[] learningRate) {
        /** The Adam whose state this carries. */
        public ResumableAdam adam() {
            return (ResumableAdam) config.getOptimizer();
        }
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ComponentTrainer.class);
    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    public ComponentTrainer(ProgressListener progress, BooleanSupplier cancelled) {
        this.progress = progress;
        this.cancelled = cancelled;
    }

    public Result train(String component, Model model, List<Example> examples, BatchEncoder encoder,
            boolean bySource, TrainSettings s, DevMetric dev, String devName, Path checkpointDir) throws IOException {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(component + ": no training examples");
        }
        float[] lr = {s.learningRate()};
        DefaultTrainingConfig cfg = adam(lr);
        State state = readState(checkpointDir);
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(new Shape(1, 1));
            if (state != null) {
                ParamIO.load(model.getBlock(), checkpointDir.resolve("last.params"));
                // an older checkpoint without Adam's state still loads: fresh moments, with a warning
                AdamMoments saved = AdamMoments.forResume(checkpointDir.resolve(AdamMoments.FILE), state.step(), component);
                if (saved != null) {
                    ((ResumableAdam) cfg.getOptimizer()).restore(model.getBlock(), saved);
                }
                lr[0] = state.learningRate();
                emit(component, "resume", state.epoch(), s, state.step(), 0, Map.of(), Map.of(), state.seconds(), Double.NaN,
                        "resumed after epoch " + state.epoch());
            } else {
                state = new State(0, 0, Double.POSITIVE_INFINITY, 0, s.learningRate(), 0, 0, List.of());
            }
            List<EpochStats> history = new ArrayList<>(state.history());
            long stepsPerEpoch = (examples.size() + s.batchSize() - 1) / s.batchSize();
            long totalSteps = s.maxSteps() > 0 ? Math.min(s.maxSteps(), stepsPerEpoch * s.epochs()) : stepsPerEpoch * s.epochs();
            long step = state.step();
            final long firstStep = step;
            double secondsBefore = state.seconds();
            long start = System.nanoTime();
            // A resumed run that had already stopped early is finished: it only restores the best parameters.
            boolean stoppedEarly = state.badEpochs() >= s.patience();
            long skips = 0;
            String firstBad = null;
            int epoch = state.epoch();
            while (!stoppedEarly && epoch < s.epochs() && !(s.maxSteps() > 0 && step >= s.maxSteps())) {
                epoch++;
                Random rnd = new Random(s.seed() * 1_000_003L + epoch);
                double lossSum = 0;
                double tokenSum = 0;
                for (List<Example> batch : Batches.make(examples, s.batchSize(), rnd, bySource)) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancelledException(component + " cancelled at step " + step);
                    }
                    GradientClipping.Clip clip;
                    try (NDManager m = trainer.getManager().newSubManager();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(encoder.encode(m, batch));
                        float tokens = out.get(2).getFloat();
                        // not out.get(0).div(tokens): see Scalars (the collector could free the divisor)
                        NDArray loss = Scalars.div(out.get(0), tokens);
                        gc.backward(loss);
                        lossSum += out.get(0).getFloat();
                        tokenSum += tokens;
                        clip = GradientClipping.clipOrDiscard(model.getBlock(), s.clipNorm());
                    }
                    if (clip.finite()) {
                        trainer.step();
                    } else {
                        // clipOrDiscard zeroed the gradients, so the next batch trains normally
                        skips++;
                        if (firstBad == null) {
                            firstBad = String.join(",", clip.nonFinite());
                        }
                        LOG.warnf("%s: non-finite gradient at step %d in %s, update skipped (%d so far)", component,
                                step + 1, clip.nonFinite(), skips);
                    }
                    step++;
                    double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
                    double eta = eta(start, step - firstStep, totalSteps - step);
                    emit(component, "train", epoch, s, step, totalSteps, Map.of("nll", lossSum / tokenSum), Map.of(),
                            elapsed, eta, "");
                    if (s.maxSteps() > 0 && step >= s.maxSteps()) {
                        break;
                    }
                }
                double devValue = dev.evaluate();
                double elapsed = secondsBefore + (System.nanoTime() - start) / 1e9;
                history.add(new EpochStats(epoch, step, lossSum / tokenSum, devValue, lr[0], elapsed));
                int badEpochs = state.badEpochs();
                if (devValue < state.bestDev()) {
                    badEpochs = 0;
                    state = new State(epoch, step, devValue, epoch, lr[0], 0, elapsed, List.copyOf(history));
                    ParamIO.save(model.getBlock(), checkpointDir.resolve("best.params"));
                } else {
                    badEpochs++;
                    lr[0] *= s.lrDecay();
                    state = new State(epoch, step, state.bestDev(), state.bestEpoch(), lr[0], badEpochs, elapsed,
                            List.copyOf(history));
                }
                ParamIO.save(model.getBlock(), checkpointDir.resolve("last.params"));
                // state.json last: it commits the epoch, and a resume checks the Adam file's step against it
                ((ResumableAdam) cfg.getOptimizer()).export(model.getBlock(), step)
                        .write(checkpointDir.resolve(AdamMoments.FILE));
                writeState(checkpointDir, state);
                double eta = eta(start, step - firstStep, totalSteps - step);
                emit(component, "eval", epoch, s, step, totalSteps, Map.of("nll", lossSum / tokenSum),
                        Map.of(devName, devValue), elapsed, eta,
                        devValue <= state.bestDev() ? "new best" : "no improvement (" + badEpochs + "/" + s.patience() + ")");
                if (badEpochs >= s.patience()) {
                    stoppedEarly = true;
                    break;
                }
            }
            // Keep the parameters of the best dev epoch, not the last one.
            if (Files.exists(checkpointDir.resolve("best.params"))) {
                ParamIO.load(model.getBlock(), checkpointDir.resolve("best.params"));
            }
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            emit(component, "done", epoch, s, step, totalSteps, Map.of(), Map.of(devName, state.bestDev()), seconds, 0,
                    "best epoch " + state.bestEpoch());
            return new Result(state.bestDev(), state.bestEpoch(), step, seconds, stoppedEarly, history, skips, firstBad,
                    new OptimizerState(cfg, lr));
        }
    }

    /**
     * The optimiser every trainer uses: Adam whose learning rate is read from {@code lr[0]} at each
     * update, so a caller can decay it, and whose state a checkpoint holds ({@link ResumableAdam}).
     * The loss slot is unused (the blocks return their own NLL).
     */
    public static DefaultTrainingConfig adam(float[] lr) {
        return new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(new ResumableAdam((Tracker) n -> lr[0]));
    }

    private static double eta(long startNanos, long done, long remaining) {
        return done > 0 ? (System.nanoTime() - startNanos) / 1e9 / done * Math.max(0, remaining) : Double.NaN;
    }

    private void emit(String component, String phase, int epoch, TrainSettings s, long step, long total,
            Map<String, Double> losses, Map<String, Double> dev, double elapsed, double eta, String msg) {
        progress.onProgress(new ProgressEvent(component, phase, epoch, s.epochs(), step, total,
                new LinkedHashMap<>(losses), new LinkedHashMap<>(dev), elapsed, eta, msg));
    }

    private static State readState(Path dir) throws IOException {
        Path f = dir.resolve("state.json");
        if (!Files.exists(f) || !Files.exists(dir.resolve("last.params"))) {
            return null;
        }
        return JSON.readValue(f.toFile(), State.class);
    }

    private static void writeState(Path dir, State state) {
        try {
            AtomicFiles.write(dir.resolve("state.json"), JSON.writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Thrown when a job is cancelled between two steps. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException(String message) {
            super(message);
        }
    }
}
