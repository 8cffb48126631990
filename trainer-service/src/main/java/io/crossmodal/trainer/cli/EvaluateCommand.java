package io.crossmodal.trainer.cli;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.family.seq2seq.eval.EvalReport;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.Evaluation;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.job.Seq2SeqJob;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code evaluate}: re-creates the split recorded in a bundle's manifest (checking its fingerprint,
 * so a changed dictionary cannot silently change the test set) and scores the bundle on it.
 */
final class EvaluateCommand {
    private EvaluateCommand() {}

    static void run(String[] args) throws Exception {
        String model = TrainerCli.option(args, "--model");
        String version = TrainerCli.option(args, "--version", "latest");
        Path registry = Path.of(TrainerCli.option(args, "--registry", JobConfig.defaultRegistry()));
        String component = TrainerCli.option(args, "--component", "g2p");
        String splitName = TrainerCli.option(args, "--split", "test");
        SplitName split = Arrays.stream(SplitName.values()).filter(n -> n.key().equals(splitName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown split '" + splitName + "' (test, dev, ...)"));
        Bundle bundle = new ModelRegistry(registry).load(model, version);
        JobConfig cfg = JobConfig.parseRecorded(io.crossmodal.runtime.io.Json.MAPPER
                .writeValueAsString(bundle.manifest().trainingConfig()));
        if (!cfg.family().equals(io.crossmodal.trainer.family.seq2seq.Seq2SeqTrainingFamily.NAME)) {
            evaluateFamily(cfg, registry, bundle);
            return;
        }
        int beam = Integer.parseInt(TrainerCli.option(args, "--beam", Integer.toString(cfg.train().beamWidth())));
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        Seq2SeqData data = new Seq2SeqData(lexicon, Splitter.split(lexicon, cfg.splitConfig()));
        String expected = bundle.manifest().dataFingerprint().get("split");
        if (expected != null && !expected.equals(data.split.fingerprint())) {
            throw new IllegalStateException("the data no longer matches the bundle's split fingerprint (" + expected
                    + " vs " + data.split.fingerprint() + "): refusing to report numbers on a different test set");
        }
        try (Seq2SeqPredictor predictor = Seq2SeqPredictor.create(bundle, component, SessionFactory.cpu())) {
            EvalReport report = Evaluation.evaluate(cfg, data, component, predictor, split, beam);
            System.out.println(report.toMarkdown());
        }
    }

    /**
     * Any other family: its gate evaluation (the recorded test set, fingerprint checked against the lineage)
     * scores every gated component; prints each metric.
     */
    private static void evaluateFamily(JobConfig cfg, Path registry, Bundle bundle) throws Exception {
        io.crossmodal.trainer.family.TrainingFamily family = io.crossmodal.trainer.family.TrainingFamilies.require(cfg.family());
        io.crossmodal.lifecycle.Lineage lineage = new io.crossmodal.lifecycle.ModelLifecycle(registry)
                .lineage(bundle.model(), bundle.version());
        io.crossmodal.lifecycle.gate.GateConfig noGate = new io.crossmodal.lifecycle.gate.GateConfig(java.util.List.of(),
                java.util.Map.of(), new io.crossmodal.lifecycle.gate.GateConfig.Bootstrap(1000, 0.95, 7, 0), 0);
        var evaluation = family.gateEvaluation(cfg, lineage, noGate);
        for (String component : family.gatedComponents(bundle)) {
            var scores = evaluation.score(bundle, component);
            System.out.printf(java.util.Locale.ROOT, "%s/%d %s on the %s test set (%s):%n", bundle.model(), bundle.version(),
                    component, cfg.family(), evaluation.testSet());
            scores.metrics().forEach((name, value) -> System.out.printf(java.util.Locale.ROOT, "  %s = %.4f%n", name, value));
        }
    }
}
