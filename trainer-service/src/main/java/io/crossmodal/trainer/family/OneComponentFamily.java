package io.crossmodal.trainer.family;

import ai.djl.ndarray.NDManager;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentContent;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.trainer.job.RunFiles;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.train.ComponentTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the families whose bundles hold one component of one type (PVAE, VQ-VAE) do alike: their names, the gate's
 * choice of components, the progress relay around their trainer, the DJL manager the trained model owns, the
 * component's graphs read back from a bundle, and the test report. What differs (data, model, scores) stays in the
 * family.
 */
public abstract class OneComponentFamily implements TrainingFamily {
    private final String name;
    private final String component;
    private final String type;
    private final String kind;

    /**
     * @param name      the family's name (job config and manifest)
     * @param component the bundle's one component
     * @param type      the component's type in the manifest
     * @param kind      how messages name the model (e.g. "PVAE")
     */
    protected OneComponentFamily(String name, String component, String type, String kind) {
        this.name = name;
        this.component = component;
        this.type = type;
        this.kind = kind;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Set<String> components() {
        return Set.of(component);
    }

    @Override
    public final List<String> defaultComponents() {
        return List.of(component);
    }

    @Override
    public final List<String> gatedComponents(Bundle bundle) {
        return TrainingFamilies.componentsOfType(bundle, type);
    }

    /**
     * The family trainer's progress, relabelled with the component; a cancelled job stops at the trainer's next
     * report ({@link ComponentTrainer.CancelledException}). {@code seen} sees each event first.
     */
    protected final ProgressListener relay(ProgressListener progress, BooleanSupplier cancelled, Consumer<ProgressEvent> seen) {
        return e -> {
            if (cancelled.getAsBoolean()) {
                throw new ComponentTrainer.CancelledException("cancelled");
            }
            seen.accept(e);
            progress.onProgress(new ProgressEvent(component, e.phase(), e.epoch(), e.epochs(), e.step(), e.totalSteps(),
                    e.losses(), e.devMetrics(), e.elapsedSeconds(), e.etaSeconds(), e.message()));
        };
    }

    /** Training that hands its DJL manager to the trained model it returns. */
    @FunctionalInterface
    protected interface ManagedTraining<T> {
        T train(NDManager manager) throws IOException;
    }

    /** Runs {@code training} with a new base manager, closed here if training fails (the trained model owns it otherwise). */
    protected static <T> T withManager(ManagedTraining<T> training) throws IOException {
        NDManager manager = NDManager.newBaseManager();
        try {
            return training.train(manager);
        } catch (RuntimeException | IOException | Error e) {
            manager.close();
            throw e;
        }
    }

    /** The bundle's component, refused (IllegalArgumentException) unless it is of this family's type. */
    protected final ComponentSpec spec(Bundle bundle, String componentName) {
        ComponentSpec c = bundle.component(componentName);
        if (!type.equals(c.type())) {
            throw new IllegalArgumentException("component '" + componentName + "' of " + bundle.model() + "/" + bundle.version()
                    + " is a " + c.type() + " component, not a " + kind);
        }
        return c;
    }

    /** The graph of one role of the component, null where the bundle has none (a role the model lacks). */
    protected static byte[] graph(Bundle bundle, ComponentSpec c, String role) {
        return c.graphs().containsKey(role) ? bundle.readFile(c.graph(role).file()) : null;
    }

    /** The bundle content of a one-component model: its component, files and serving settings, and the data's fingerprints. */
    protected static BundleContent content(ComponentContent c, Map<String, String> dataFingerprints) {
        return new BundleContent(Map.of(c.name(), c.component()), Map.of(), dataFingerprints, c.files(), c.serving());
    }

    /** Tells the progress listener that the exported graphs are being scored ({@code message} says on what). */
    protected static void announceTest(ProgressListener progress, String component, double trainSeconds, String message) {
        progress.onProgress(new ProgressEvent(component, "test", 0, 0, 0, 0, Map.of(), Map.of(), trainSeconds, Double.NaN,
                message));
    }

    /** Writes the component's test scores to {@code report-<component>.json} in the run directory and returns them by component. */
    protected static Map<String, ComponentScores> report(Path runDir, String component, ComponentScores scores) {
        try {
            RunFiles.writeJson(runDir.resolve("report-" + component + ".json"), scores.metrics());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(component, scores);
    }

    /** A gate evaluation whose scoring time adds up in {@link #seconds()} (recorded with the decision's settings). */
    protected abstract static class TimedEvaluation implements GateEvaluation {
        private final String fingerprint;
        private double seconds;

        protected TimedEvaluation(String fingerprint) {
            this.fingerprint = fingerprint;
        }

        @Override
        public final String fingerprint() {
            return fingerprint;
        }

        /** Wall seconds spent scoring so far. */
        protected final double seconds() {
            return seconds;
        }

        @Override
        public final ComponentScores score(Bundle bundle, String component) {
            long start = System.nanoTime();
            try {
                return timedScore(bundle, component);
            } finally {
                seconds += (System.nanoTime() - start) / 1e9;
            }
        }

        /** Scores one component of a bundle on the test set. */
        protected abstract ComponentScores timedScore(Bundle bundle, String component);
    }
}
