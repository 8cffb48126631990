package io.crossmodal.trainer.family.pvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.cli.HelpOption;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pvae-train --config FILE [--speech-dir DIR] [--registry DIR [--model NAME]]}: trains, exports the ONNX
 * graphs and evaluates one model, and with {@code --registry} writes it as the next version of model NAME there,
 * a bundle the services serve.
 */
@Command(name = "pvae-train", description = "Train, export and evaluate one partitioned-VAE model; with "
        + "--registry, register it as the next version of --model there.")
public final class PvaeTrainCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    PvaeOptions options;

    @Option(names = "--registry", paramLabel = "DIR", description = "Register the trained model as a bundle in this registry.")
    Path registry;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name in --registry (default: digits).")
    String model;

    @Override
    public Integer call() throws Exception {
        if (model != null && registry == null) {
            throw new IllegalArgumentException("--model names the model in --registry: give --registry DIR too");
        }
        PvaeConfig cfg = options.job(options.configFile());
        PvaeRun.RegistryTarget target = registry == null ? null
                : new PvaeRun.RegistryTarget(registry.toAbsolutePath(), model == null ? "digits" : model);
        PvaeData data = PvaeData.load(cfg);
        System.out.println("speech: " + data.speechSource() + " (" + data.speechTrain().size() + " train, "
                + data.speechTest().size() + " test); images: " + data.imageTrain().size() + " train, "
                + data.imageTest().size() + " test");
        Path runDir = Path.of(cfg.runDir());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Double> metrics = PvaeRun.trainAndEvaluate(cfg, data, m, runDir, runDir.resolve("figures"),
                    cfg.variant(), new ConsoleProgress(System.out), System.out, target);
            metrics.forEach((k, v) -> System.out.printf(Locale.ROOT, "%s = %.4f%n", k, v));
            System.out.println("run directory: " + runDir.toAbsolutePath());
        }
        return 0;
    }
}
