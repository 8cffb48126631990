package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.family.vqvae.serving.VqvaeBundleLayout;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.OneComponentFamily;
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.eval.VqvaeScores;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.train.VqvaeExport;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.job.Machine;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The VQ-VAE's training side: a job with {@code family: "vqvae"} trains one model ({@link VqvaeTrainer},
 * resuming from the run directory's checkpoints) with the settings of the job's {@code vqvae} section
 * ({@link VqvaeConfig}; the job's {@code seed} and {@code runDir} take the place of the section's),
 * exports the bundle the serving plug-in reads ({@link VqvaeBundleLayout}) and scores it through ONNX
 * Runtime ({@link VqvaeScores}: digit and speaker probe accuracy, reconstruction error with per-example
 * values for the gate's paired bootstrap; codebook perplexity and bits/s).
 */
public final class VqvaeTrainingFamily extends OneComponentFamily {
    private static final Logger LOG = Logger.getLogger(VqvaeTrainingFamily.class);
    public static final String NAME = VqvaeBundleLayout.FAMILY;

    public VqvaeTrainingFamily() {
        super(NAME, VqvaeBundleLayout.COMPONENT, VqvaeBundleLayout.TYPE, "VQ-VAE");
    }

    /** The job's VQ-VAE settings: its {@code vqvae} section with the job's seed and run directory. */
    public static VqvaeConfig settings(JobConfig job) {
        VqvaeConfig v = job.vqvae();
        if (v == null || v.speechDir() == null) {
            throw new IllegalArgumentException("a vqvae job needs a 'vqvae' section with speechDir (spoken digits in FSDD's layout)");
        }
        return v.with(v.bottleneck(), v.jitterOn(), job.seed(), job.runDir());
    }

    private static VqvaeData load(VqvaeConfig cfg) throws IOException {
        // PyTorch reads its thread counts when the engine starts (the first NDManager)
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cfg.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return VqvaeData.load(cfg);
    }

    private static double meanSeconds(VqvaeConfig cfg) throws IOException {
        return VqvaeStudy.meanTrimmedSeconds(Path.of(cfg.speechDir()), VqvaeData.features(cfg));
    }

    @Override
    public Trained train(JobConfig job, Path runDir, ProgressListener progress, BooleanSupplier cancelled) throws IOException {
        VqvaeConfig cfg = settings(job);
        VqvaeData data = load(cfg);
        double seconds = meanSeconds(cfg);
        LOG.infof("vqvae data: %d train, %d test recordings, speakers %s", data.train().size(), data.test().size(),
                data.speakers());
        ProgressListener watched = relay(progress, cancelled, e -> {});
        return withManager(manager -> new TrainedVqvae(cfg, data, seconds, manager,
                new VqvaeTrainer(cfg, data, watched, VqvaeBundleLayout.COMPONENT).train(manager, runDir)));
    }

    @Override
    public GateEvaluation gateEvaluation(JobConfig job, Lineage lineage, GateConfig gate) throws IOException {
        VqvaeConfig cfg = settings(job);
        VqvaeData data = load(cfg);
        double meanSeconds = meanSeconds(cfg);
        String fingerprint = data.fingerprints().get("split");
        TrainingFamilies.requireSameTestData(lineage, fingerprint, "test set");
        SessionFactory factory = SessionFactory.cpu();
        return new TimedEvaluation(fingerprint) {
            @Override
            public Map<String, Object> testSet() {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", "test");
                t.put("fingerprint", fingerprint);
                t.put("testHash", data.fingerprints().get("test"));
                t.put("recordings", data.test().size());
                t.put("speakers", data.speakers());
                t.put("heldOutSpeakers", VqvaeScores.heldOut(data));
                t.put("seed", cfg.seed());
                t.put("speech", cfg.speechDir());
                return t;
            }

            @Override
            public Map<String, Object> settings() {
                return Map.of("engine", "onnxruntime", "probe", "linear", "probeSeed", cfg.seed(), "seconds", seconds());
            }

            @Override
            protected ComponentScores timedScore(Bundle bundle, String component) {
                ComponentSpec c = spec(bundle, component);
                try (NDManager m = NDManager.newBaseManager(); OrtVqvae ort = open(bundle, c, factory)) {
                    return new VqvaeScores(data, VqvaeScores.heldOut(data), meanSeconds, cfg.seed()).score(ort,
                            c.sizes().get("codes"), m);
                }
            }
        };
    }

    /** The bundle's VQ-VAE graphs (component {@code c}, checked by {@link #spec}) in ONNX Runtime sessions, as the services load them. */
    private static OrtVqvae open(Bundle bundle, ComponentSpec c, SessionFactory factory) {
        VqvaeGraphs.Graphs g = new VqvaeGraphs.Graphs(graph(bundle, c, VqvaeBundleLayout.ENCODER),
                graph(bundle, c, VqvaeBundleLayout.UNITS), graph(bundle, c, VqvaeBundleLayout.DECODER_STEP),
                graph(bundle, c, VqvaeBundleLayout.SPEAKER));
        Map<String, Integer> s = c.sizes();
        return new OrtVqvae(factory, g, s.get("melBins"), s.get("latentDim"), s.get("stateSize"), s.get("downsample"));
    }

    /** One trained VQ-VAE, its data and its DJL manager (closed with it). */
    private static final class TrainedVqvae implements Trained {
        private final VqvaeConfig cfg;
        private final VqvaeData data;
        private final double meanSeconds;
        private final NDManager manager;
        private final VqvaeTrainer.Result result;
        private final VqvaeWeights weights;
        private final VqvaeGraphs.Graphs graphs;

        TrainedVqvae(VqvaeConfig cfg, VqvaeData data, double meanSeconds, NDManager manager, VqvaeTrainer.Result result) {
            this.cfg = cfg;
            this.data = data;
            this.meanSeconds = meanSeconds;
            this.manager = manager;
            this.result = result;
            this.weights = VqvaeExport.weights(result.net(), data);
            this.graphs = VqvaeGraphs.build(weights);
        }

        @Override
        public BundleContent export() {
            return content(VqvaeBundleLayout.content(weights, graphs, Map.of()), data.fingerprints());
        }

        @Override
        public Map<String, ComponentScores> evaluate(BundleContent content, Path runDir, ProgressListener progress) {
            announceTest(progress, VqvaeBundleLayout.COMPONENT, result.seconds(), "scoring the exported graphs on the spoken digits");
            try (NDManager m = manager.newSubManager();
                    OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), graphs, data.melBins(), cfg.latentDim(),
                            result.net().stateSize(), cfg.downsample())) {
                ComponentScores scores = new VqvaeScores(data, VqvaeScores.heldOut(data), meanSeconds, cfg.seed()).score(ort,
                        weights.codes(), m);
                LOG.infof("vqvae test: %s", scores.metrics());
                return report(runDir, VqvaeBundleLayout.COMPONENT, scores);
            }
        }

        @Override
        public Map<String, Object> trainingMetrics() {
            String c = VqvaeBundleLayout.COMPONENT;
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put(c + ".bottleneck", cfg.bottleneck());
            metrics.put(c + ".jitter", cfg.jitterOn() ? cfg.jitterP() : 0.0);
            metrics.put(c + ".train.seconds", result.seconds());
            metrics.put(c + ".train.steps", result.steps());
            metrics.put(c + ".train.epochs", result.history().size());
            metrics.put(c + ".train.held_out_loss", result.history().get(result.history().size() - 1).dev());
            metrics.put(c + ".train.reinitialised_codes", result.reinitialisedCodes());
            metrics.put("machine.cpu", Machine.cpuModel());
            return metrics;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
