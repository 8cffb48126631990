package io.crossmodal.trainer.family;

import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The training side of a model family (the plug-in): how a job of this family trains, evaluates
 * and exports, and how the promotion gate evaluates a bundle of it. Chosen by the job config's
 * {@code family} ({@link TrainingFamilies}, java.util.ServiceLoader); the generic job runner
 * ({@code TrainingRun}), the promoter and the gate know no family by name.
 */
public interface TrainingFamily {

    /** The family's name: the job config's and the bundle manifest's {@code family} (e.g. {@code seq2seq}). */
    String name();

    /** The components a job of this family may train (the job config's {@code components}). */
    Set<String> components();

    /** The components a job trains when its config names none. */
    List<String> defaultComponents();

    /**
     * Trains the job's models (resuming from checkpoints under {@code runDir}), reporting progress and
     * stopping when {@code cancelled} says so. The returned models stay open until closed.
     */
    Trained train(JobConfig job, Path runDir, ProgressListener progress, BooleanSupplier cancelled) throws IOException;

    /**
     * The gate's evaluation of this family: the candidate's test set re-created from its job config and
     * checked against its lineage (a different test set is an {@link IllegalStateException}), and how a
     * bundle's component is scored on it (through the served code path, ONNX Runtime).
     */
    GateEvaluation gateEvaluation(JobConfig job, Lineage lineage, GateConfig gate) throws IOException;

    /** The components of a bundle the gate evaluates when the gate file names none. */
    List<String> gatedComponents(Bundle bundle);

    /** Trained models of one job, open until closed. */
    interface Trained extends AutoCloseable {

        /** The bundle's content: components (graphs, sizes), vocabularies, data fingerprint and files. */
        BundleContent export();

        /**
         * Evaluates the exported components on the test split through the served code path, writes the
         * family's reports into {@code runDir} and returns each component's scores (named metrics and
         * per-example values).
         */
        Map<String, ComponentScores> evaluate(BundleContent content, Path runDir, ProgressListener progress);

        /** Figures of the training itself ({@code <component>.dev.best}, {@code .train.seconds}, ...), recorded in the manifest. */
        Map<String, Object> trainingMetrics();

        @Override
        void close();
    }

    /**
     * What a bundle of this family holds besides its manifest's generic fields.
     *
     * @param components      component specs by name
     * @param vocabularies    symbol lists by name (may be empty)
     * @param dataFingerprint split name -> hash ({@code split} is the whole split's fingerprint the gate checks)
     * @param files           bundle files (ONNX graphs, ...) by file name
     * @param serving         per-model serving settings by service role (batching, limits, decoding defaults;
     *                        empty = the services' configuration decides)
     */
    record BundleContent(Map<String, ComponentSpec> components, Map<String, List<String>> vocabularies,
            Map<String, String> dataFingerprint, Map<String, byte[]> files, Map<String, ServingSpec> serving) {}

    /** The gate's view of a family: the frozen test set and how a bundle's component scores on it. */
    interface GateEvaluation {

        /** The test set as recorded in the decision (name, fingerprint, size, seed, source, ...). */
        Map<String, Object> testSet();

        /** The test split's fingerprint (compared with production's lineage). */
        String fingerprint();

        /** How models are evaluated, as recorded in the decision (engine, search, ...); called after scoring. */
        Map<String, Object> settings();

        /** Scores one component of a bundle on the test set. */
        ComponentScores score(Bundle bundle, String component);
    }
}
