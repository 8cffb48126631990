package io.crossmodal.trainer.job;

import io.crossmodal.core.bundle.Bundle;
import io.crossmodal.core.lifecycle.Provenance;
import io.crossmodal.core.data.Lexicon;
import io.crossmodal.core.eval.EvalReport;
import io.crossmodal.core.onnx.OrtSeq2Seq;
import io.crossmodal.core.onnx.SessionFactory;
import io.crossmodal.core.serving.Seq2SeqPredictor;
import io.crossmodal.core.split.SplitName;
import io.crossmodal.core.bundle.ComponentSpecs;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.export.BundleExporter;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * One training job end to end: data, split, training (resuming from checkpoints), ONNX graphs,
 * test evaluation by beam search over those graphs in ONNX Runtime, reports, and the bundle.
 */
public final class TrainingRun {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);

    public record Outcome(Path runDir, Bundle bundle, Map<String, EvalReport> reports, Map<String, Object> metrics) {}

    private TrainingRun() {}

    public static Outcome run(JobConfig cfg, ProgressListener progress, BooleanSupplier cancelled) throws IOException {
        return run(cfg, progress, cancelled, Provenance.actor(null));
    }

    /** As {@link #run(JobConfig, ProgressListener, BooleanSupplier)}, registering the bundle as {@code actor}. */
    public static Outcome run(JobConfig cfg, ProgressListener progress, BooleanSupplier cancelled, String actor)
            throws IOException {
        Path runDir = Path.of(cfg.runDir());
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.json"), cfg.toJson());
        long start = System.nanoTime();
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        try (Seq2SeqJob.TrainedModels models = cfg.semiEnabled()
                ? new NoisyChannelJob(progress, cancelled).train(cfg, lexicon, runDir)
                : new Seq2SeqJob(progress, cancelled).train(cfg, lexicon, runDir)) {
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            BundleExporter.Graphs graphs = BundleExporter.graphs(models);
            Map<String, EvalReport> reports = new LinkedHashMap<>();
            Map<String, Object> metrics = new LinkedHashMap<>();
            SessionFactory factory = SessionFactory.cpu();
            for (String component : List.of("g2p", "p2g")) {
                if (!models.models.containsKey(component)) {
                    continue;
                }
                progress.onProgress(new ProgressEvent(component, "test", 0, 0, 0, 0, Map.of(), Map.of(),
                        (System.nanoTime() - start) / 1e9, Double.NaN, "beam-search evaluation on the test split"));
                OrtSeq2Seq ort = OrtSeq2Seq.create(factory, graphs.files().get(ComponentSpecs.encoderFile(component)),
                        graphs.files().get(ComponentSpecs.decoderStepFile(component)));
                boolean g2p = component.equals("g2p");
                try (Seq2SeqPredictor predictor = new Seq2SeqPredictor(ort,
                        (g2p ? models.data.graphemes : models.data.phonemes).symbols(),
                        (g2p ? models.data.phonemes : models.data.graphemes).symbols(),
                        Seq2SeqPredictor.DEFAULT_MAX_INPUT_LENGTH)) {
                    List<io.crossmodal.core.eval.WordScore> words = new java.util.ArrayList<>();
                    EvalReport report = Evaluation.evaluate(cfg, models.data, component, predictor, SplitName.TEST,
                            cfg.train().beamWidth(), words::addAll);
                    // per-word scores, for paired comparisons of runs on the same test words (the study's bootstrap)
                    RunFiles.writeJson(runDir.resolve("scores-" + component + ".json"), words);
                    if (cfg.semiEnabled() && cfg.semi().rerankEnabled()) {
                        NoisyChannelRerank.Outcome rr = NoisyChannelRerank.run(cfg, models, component, predictor);
                        RunFiles.writeJson(runDir.resolve("rerank-" + component + ".json"), rr);
                        metrics.put(component + ".test.rerank.per", rr.test().per());
                        metrics.put(component + ".test.rerank.wer", rr.test().wer());
                        metrics.put(component + ".rerank.lambda", rr.lambda());
                        LOG.infof("%s reranked (lambda %.2f chosen on dev): PER %.4f WER %.4f (n-best top: %.4f / %.4f)",
                                component, rr.lambda(), rr.test().per(), rr.test().wer(), rr.plain().per(), rr.plain().wer());
                    }
                    reports.put(component, report);
                    report.writeJson(runDir.resolve("report-" + component + ".json"));
                    report.writeMarkdown(runDir.resolve("report-" + component + ".md"));
                    metrics.put(component + ".test.per", report.metrics().per());
                    metrics.put(component + ".test.wer", report.metrics().wer());
                    metrics.put(component + ".test.words", report.metrics().words());
                    LOG.infof("%s test: PER %.4f WER %.4f over %d words", component, report.metrics().per(),
                            report.metrics().wer(), report.metrics().words());
                }
            }
            models.results.forEach((c, r) -> {
                metrics.put(c + ".dev.best", r.bestDev());
                metrics.put(c + ".train.seconds", r.seconds());
                metrics.put(c + ".train.steps", r.steps());
                metrics.put(c + ".train.nonfinite_skips", r.nonFiniteSkips());
            });
            metrics.putAll(models.extraMetrics);
            metrics.put("machine.cpu", Machine.cpuModel());
            metrics.put("train.seconds.total", trainSeconds);
            RunFiles.writeJson(runDir.resolve("metrics.json"), metrics);
            Bundle bundle = null;
            if (cfg.export()) {
                bundle = BundleExporter.write(models, graphs, Path.of(cfg.registryDir()), metrics, actor);
                LOG.infof("registered bundle %s/%d in %s", bundle.model(), bundle.version(), cfg.registryDir());
            }
            progress.onProgress(new ProgressEvent("job", "done", 0, 0, 0, 0, Map.of(), Map.of(),
                    (System.nanoTime() - start) / 1e9, 0, bundle == null ? "done" : "bundle " + bundle.model() + "/" + bundle.version()));
            return new Outcome(runDir, bundle, reports, metrics);
        }
    }
}
