package io.crossmodal.trainer.job;

import io.crossmodal.lifecycle.Provenance;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.export.BundleExporter;
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.TrainingFamily;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * One training job end to end, for any model family ({@link TrainingFamily}, chosen by the config's
 * {@code family}): training (resuming from checkpoints), export, test evaluation over the exported
 * graphs, reports, and the bundle. The test metrics go into the manifest as
 * {@code <component>.test.<metric>}, whatever the family names its metrics.
 */
public final class TrainingRun {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);

    /**
     * @param scores each evaluated component's test scores (named metrics and per-example values)
     * @param metrics everything recorded in the bundle manifest
     */
    public record Outcome(Path runDir, Bundle bundle, Map<String, ComponentScores> scores, Map<String, Object> metrics) {}

    private TrainingRun() {}

    public static Outcome run(JobConfig cfg, ProgressListener progress, BooleanSupplier cancelled) throws IOException {
        return run(cfg, progress, cancelled, Provenance.actor(null));
    }

    /** As {@link #run(JobConfig, ProgressListener, BooleanSupplier)}, registering the bundle as {@code actor}. */
    public static Outcome run(JobConfig cfg, ProgressListener progress, BooleanSupplier cancelled, String actor)
            throws IOException {
        TrainingFamily family = TrainingFamilies.require(cfg.family());
        Path runDir = Path.of(cfg.runDir());
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.json"), cfg.toJson());
        long start = System.nanoTime();
        phase(progress, cancelled, PREPARE, start, "loading and splitting the data");
        try (TrainingFamily.Trained trained = family.train(cfg, runDir, progress, cancelled)) {
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            phase(progress, cancelled, EXPORT, start, "ONNX graphs and the test evaluation");
            TrainingFamily.BundleContent content = trained.export();
            Map<String, ComponentScores> scores = trained.evaluate(content, runDir, progress);
            checkCancelled(cancelled);
            Map<String, Object> metrics = new LinkedHashMap<>();
            scores.forEach((component, s) -> s.metrics().forEach((name, value) ->
                    metrics.put(component + ".test." + name, value)));
            metrics.putAll(trained.trainingMetrics());
            metrics.put("train.seconds.total", trainSeconds);
            RunFiles.writeJson(runDir.resolve("metrics.json"), metrics);
            Bundle bundle = null;
            if (cfg.export()) {
                // the last point of no return: whoever watches the job (the Trainer API's job process) may still
                // veto the registration here; after it, the bundle is registered
                phase(progress, cancelled, REGISTER, start, "registering the bundle");
                bundle = BundleExporter.register(cfg, content, Path.of(cfg.registryDir()), metrics, actor);
                LOG.infof("registered bundle %s/%d in %s", bundle.model(), bundle.version(), cfg.registryDir());
            }
            progress.onProgress(new ProgressEvent("job", "done", 0, 0, 0, 0, Map.of(), Map.of(),
                    (System.nanoTime() - start) / 1e9, 0, bundle == null ? "done" : "bundle " + bundle.model() + "/" + bundle.version()));
            return new Outcome(runDir, bundle, scores, metrics);
        }
    }

    /** Phase names of the job-level events that mark where a run is ("job" component). */
    public static final String PREPARE = "prepare";
    public static final String EXPORT = "export";
    public static final String REGISTER = "register";

    /** Announces a phase, then honours a cancellation requested so far (each phase starts only if not cancelled). */
    private static void phase(ProgressListener progress, BooleanSupplier cancelled, String phase, long start, String message) {
        progress.onProgress(new ProgressEvent("job", phase, 0, 0, 0, 0, Map.of(), Map.of(),
                (System.nanoTime() - start) / 1e9, Double.NaN, message));
        checkCancelled(cancelled);
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new io.crossmodal.trainer.train.ComponentTrainer.CancelledException("cancelled");
        }
    }
}
