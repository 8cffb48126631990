package io.crossmodal.trainer.family.seq2seq;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import io.crossmodal.family.seq2seq.eval.EvalReport;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.export.BundleExporter;
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.TrainingFamily;
import io.crossmodal.trainer.job.Evaluation;
import io.crossmodal.trainer.job.Machine;
import io.crossmodal.trainer.job.NoisyChannelRerank;
import io.crossmodal.trainer.job.NoisyChannelJob;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.job.RunFiles;
import io.crossmodal.trainer.job.Seq2SeqJob;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The seq2seq family's training side: supervised ({@link Seq2SeqJob}) or noisy-channel
 * ({@link NoisyChannelJob}) training of {@code g2p}, {@code p2g} and {@code prior} on CMUdict,
 * beam-search evaluation over the exported ONNX graphs, and the gate's PER / WER per word.
 */
public final class Seq2SeqTrainingFamily implements TrainingFamily {
    private static final Logger LOG = Logger.getLogger(Seq2SeqTrainingFamily.class);
    public static final String NAME = "seq2seq";
    /** The transducing components, in the order they are evaluated. */
    private static final List<String> DIRECTIONS = List.of("g2p", "p2g");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> components() {
        return Set.of("g2p", "p2g", "prior");
    }

    @Override
    public List<String> defaultComponents() {
        return List.of("g2p", "p2g", "prior");
    }

    @Override
    public Trained train(JobConfig cfg, Path runDir, ProgressListener progress, BooleanSupplier cancelled) throws IOException {
        long start = System.nanoTime();
        // a bad override file fails the job now, not after the training it would have wasted
        checkLexiconOverride(cfg, "lexicon.override");
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        if (cfg.train().ensemble() != null) {
            return ComposedEnsemble.compose(cfg, new Seq2SeqData(lexicon, Splitter.split(lexicon, cfg.splitConfig())),
                    progress, start);
        }
        Seq2SeqJob.TrainedModels models = cfg.semiEnabled()
                ? new NoisyChannelJob(progress, cancelled).train(cfg, lexicon, runDir)
                : new Seq2SeqJob(progress, cancelled).train(cfg, lexicon, runDir);
        return new TrainedSeq2Seq(models, start);
    }

    /**
     * Reads the job's lexicon override file (if any) strictly, as registration will: IllegalArgumentException
     * naming {@code field} and the first malformed line, UncheckedIOException when it cannot be read. The Trainer API
     * calls this at submission, so a bad override never starts a job.
     */
    public static void checkLexiconOverride(JobConfig cfg, String field) {
        if (cfg.lexiconConfig().override() != null) {
            BundleLexicon.override(Path.of(cfg.lexiconConfig().override()), cfg.data().stripStress(), field);
        }
    }

    @Override
    public List<String> gatedComponents(Bundle bundle) {
        return TrainingFamilies.componentsOfType(bundle, ComponentSpec.TYPE_SEQ2SEQ);
    }

    @Override
    public GateEvaluation gateEvaluation(JobConfig cfg, Lineage lineage, GateConfig gate) throws IOException {
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        Seq2SeqData data = new Seq2SeqData(lexicon, Splitter.split(lexicon, cfg.splitConfig()));
        TrainingFamilies.requireSameTestData(lineage, data.split.fingerprint(), "test split");
        int beam = gate.beamWidth() > 0 ? gate.beamWidth() : cfg.train().beamWidth();
        int maxOut = cfg.model().maxOutputLength();
        SessionFactory factory = SessionFactory.cpu();
        return new GateEvaluation() {
            private double seconds;

            @Override
            public Map<String, Object> testSet() {
                Map<String, Object> split = new LinkedHashMap<>();
                split.put("name", SplitName.TEST.key());
                split.put("fingerprint", data.split.fingerprint());
                split.put("testHash", data.split.hash(SplitName.TEST));
                split.put("words", data.split.count(SplitName.TEST));
                split.put("seed", cfg.seed());
                split.put("source", cfg.data().source());
                return split;
            }

            @Override
            public String fingerprint() {
                return data.split.fingerprint();
            }

            @Override
            public Map<String, Object> settings() {
                return Map.of("engine", "onnxruntime", "search", "beam", "beamWidth", beam, "maxOutputLength", maxOut,
                        "seconds", seconds);
            }

            @Override
            public ComponentScores score(Bundle bundle, String component) {
                long start = System.nanoTime();
                try (Seq2SeqPredictor p = Seq2SeqPredictor.create(bundle, component, factory)) {
                    return Seq2SeqScores.of(Evaluation.scoreWords(data, component, p, SplitName.TEST, beam, maxOut));
                } finally {
                    seconds += (System.nanoTime() - start) / 1e9;
                }
            }
        };
    }

    /** Extra test figures of one component, computed with its test predictor (reranking); may write run files. */
    interface ExtraScores {
        Map<String, Double> of(String component, Seq2SeqPredictor predictor) throws IOException;
    }

    /**
     * Beam-search evaluation of the exported graphs of each transducing component in {@code trained} on the test split,
     * through the served code path (ONNX Runtime); writes report-, scores- files into {@code runDir}.
     */
    static Map<String, ComponentScores> evaluateExported(JobConfig cfg, Seq2SeqData data, Set<String> trained,
            BundleContent content, Path runDir, ProgressListener progress, long startNanos, ExtraScores extraScores) {
        Map<String, ComponentScores> out = new LinkedHashMap<>();
        SessionFactory factory = SessionFactory.cpu();
        for (String component : DIRECTIONS) {
            if (!trained.contains(component)) {
                continue;
            }
            progress.onProgress(new ProgressEvent(component, "test", 0, 0, 0, 0, Map.of(), Map.of(),
                    (System.nanoTime() - startNanos) / 1e9, Double.NaN, "beam-search evaluation on the test split"));
            OrtSeq2Seq ort = OrtSeq2Seq.create(factory, content.files().get(ComponentSpecs.encoderFile(component)),
                    content.files().get(ComponentSpecs.decoderStepFile(component)));
            boolean g2p = component.equals("g2p");
            try (Seq2SeqPredictor predictor = new Seq2SeqPredictor(ort,
                    (g2p ? data.graphemes : data.phonemes).symbols(),
                    (g2p ? data.phonemes : data.graphemes).symbols(),
                    Seq2SeqPredictor.DEFAULT_MAX_INPUT_LENGTH)) {
                Evaluation.Scored scored = Evaluation.evaluateScored(cfg, data, component, predictor, SplitName.TEST,
                        cfg.train().beamWidth());
                EvalReport report = scored.report();
                Map<String, Double> extra;
                try {
                    report.writeJson(runDir.resolve("report-" + component + ".json"));
                    report.writeMarkdown(runDir.resolve("report-" + component + ".md"));
                    // per-word scores, for paired comparisons of runs on the same test words (the study's bootstrap)
                    RunFiles.writeJson(runDir.resolve("scores-" + component + ".json"), scored.scores());
                    extra = extraScores.of(component, predictor);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                LOG.infof("%s test: PER %.4f WER %.4f over %d words", component, report.metrics().per(),
                        report.metrics().wer(), report.metrics().words());
                out.put(component, Seq2SeqScores.of(scored.scores(), extra));
            }
        }
        return out;
    }

    /** Trained seq2seq components; export and evaluation as the job runner did before families were plug-ins. */
    private static final class TrainedSeq2Seq implements Trained {
        private final Seq2SeqJob.TrainedModels models;
        private final long startNanos;
        /** {@code <component>.rerank.lambda} chosen on dev by {@link #evaluate}, reported with the training metrics. */
        private final Map<String, Object> rerankLambdas = new LinkedHashMap<>();

        TrainedSeq2Seq(Seq2SeqJob.TrainedModels models, long startNanos) {
            this.models = models;
            this.startNanos = startNanos;
        }

        @Override
        public BundleContent export() {
            BundleExporter.Graphs graphs = BundleExporter.graphs(models);
            // the pronunciation lexicon travels with the graphs (checksummed like them) and sets the served default mode
            PronunciationLexicon lexicon = BundleLexicon.build(models.config, models.data.split);
            Map<String, byte[]> files = new LinkedHashMap<>(graphs.files());
            files.putAll(BundleLexicon.files(lexicon));
            return new BundleContent(graphs.specs(), BundleExporter.vocabularies(models), BundleExporter.fingerprint(models),
                    files, BundleLexicon.serving(models.config, lexicon));
        }

        @Override
        public Map<String, ComponentScores> evaluate(BundleContent content, Path runDir, ProgressListener progress) {
            JobConfig cfg = models.config;
            return evaluateExported(cfg, models.data, models.models.keySet(), content, runDir, progress, startNanos,
                    (component, predictor) -> {
                        Map<String, Double> extra = new LinkedHashMap<>();
                        if (cfg.semiEnabled() && cfg.semi().rerankEnabled()) {
                            NoisyChannelRerank.Outcome rr = NoisyChannelRerank.run(cfg, models, component, predictor);
                            RunFiles.writeJson(runDir.resolve("rerank-" + component + ".json"), rr);
                            extra.put("rerank.per", rr.test().per());
                            extra.put("rerank.wer", rr.test().wer());
                            rerankLambdas.put(component + ".rerank.lambda", rr.lambda());
                            LOG.infof("%s reranked (lambda %.2f chosen on dev): PER %.4f WER %.4f (n-best top: %.4f / %.4f)",
                                    component, rr.lambda(), rr.test().per(), rr.test().wer(), rr.plain().per(), rr.plain().wer());
                        }
                        return extra;
                    });
        }

        @Override
        public Map<String, Object> trainingMetrics() {
            Map<String, Object> metrics = new LinkedHashMap<>();
            models.results.forEach((c, r) -> {
                metrics.put(c + ".dev.best", r.bestDev());
                metrics.put(c + ".train.seconds", r.seconds());
                metrics.put(c + ".train.steps", r.steps());
                metrics.put(c + ".train.nonfinite_skips", r.nonFiniteSkips());
            });
            metrics.putAll(models.extraMetrics);
            metrics.putAll(rerankLambdas);
            metrics.put("machine.cpu", Machine.cpuModel());
            return metrics;
        }

        @Override
        public void close() {
            models.close();
        }
    }
}
