package io.crossmodal.trainer.cli;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import io.crossmodal.family.seq2seq.eval.EvalReport;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.Evaluation;
import io.crossmodal.trainer.job.RegisteredPredictors;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.job.Seq2SeqJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: re-creates the split recorded in a bundle's manifest (checking its fingerprint,
 * so a changed dictionary cannot silently change the test set) and scores the bundle on it.
 */
@Command(name = "evaluate", description = "Evaluate a registered bundle on the split recorded in its manifest.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--version", defaultValue = "latest", paramLabel = "V|alias",
            description = "Version number or alias (default: ${DEFAULT-VALUE}).")
    String version;

    @Option(names = "--component", defaultValue = "g2p", paramLabel = "g2p|p2g",
            description = "Component to score (default: ${DEFAULT-VALUE}).")
    String component;

    @Option(names = "--split", defaultValue = "test", paramLabel = "test|dev",
            description = "Split to score on (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--beam", paramLabel = "N", description = "Beam width (default: the job's beamWidth).")
    Integer beam;

    @Option(names = "--ensemble-with", split = ",", paramLabel = "NAME/V",
            description = "Seq2seq bundles searched together with --model as one ensemble (the mean of their "
                    + "probabilities at every step); each must have been trained on the same split and vocabularies.")
    List<String> ensembleWith = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        SplitName splitName = Arrays.stream(SplitName.values()).filter(n -> n.key().equals(split)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown split '" + split + "' (test, dev, ...)"));
        Bundle bundle = new ModelRegistry(registry.path()).load(model, version);
        JobConfig cfg = JobConfig.parseRecorded(Json.MAPPER.writeValueAsString(bundle.manifest().trainingConfig()));
        if (!cfg.family().equals(io.crossmodal.trainer.family.seq2seq.Seq2SeqTrainingFamily.NAME)) {
            evaluateFamily(cfg, registry.path(), bundle);
            return 0;
        }
        int beamWidth = beam != null ? beam : cfg.train().beamWidth();
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        Seq2SeqData data = new Seq2SeqData(lexicon, Splitter.split(lexicon, cfg.splitConfig()));
        String expected = bundle.manifest().dataFingerprint().get("split");
        if (expected != null && !expected.equals(data.split.fingerprint())) {
            throw new IllegalStateException("the data no longer matches the bundle's split fingerprint (" + expected
                    + " vs " + data.split.fingerprint() + "): refusing to report numbers on a different test set");
        }
        List<String> refs = new ArrayList<>(List.of(bundle.model() + "/" + bundle.version()));
        refs.addAll(ensembleWith);
        try (Seq2SeqPredictor predictor = ensembleWith.isEmpty() ? Seq2SeqPredictor.create(bundle, component, SessionFactory.cpu())
                : RegisteredPredictors.open(new ModelRegistry(registry.path()), refs, component, data.split.fingerprint(),
                        "--ensemble-with")) {
            EvalReport report = Evaluation.evaluate(cfg, data, component, predictor, splitName, beamWidth);
            if (!ensembleWith.isEmpty()) {
                System.out.println("Ensemble of " + model + "/" + bundle.version() + " with " + String.join(", ", ensembleWith));
            }
            System.out.println(report.toMarkdown());
        }
        return 0;
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
