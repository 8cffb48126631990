package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.cli.HelpOption;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vqvae-train --config FILE [--speech-dir DIR] [--registry DIR [--model NAME]]}: trains one model, measures
 * it, exports its ONNX graphs and, with {@code --registry}, writes it as the next version of model NAME (default
 * {@code units}) there, a bundle the services serve.
 */
@Command(name = "vqvae-train", description = "Train, export and measure one VQ-VAE speech autoencoder; with "
        + "--registry, register it as the next version of --model there.")
public final class VqvaeTrainCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The VQ-VAE job config.")
    Path config;

    @Option(names = "--speech-dir", paramLabel = "DIR", description = "Spoken digits in the FSDD layout (overrides the config).")
    Path speechDir;

    @Option(names = "--registry", paramLabel = "DIR", description = "Register the trained model as a bundle in this registry.")
    Path registry;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name in --registry (default: units).")
    String model;

    @Override
    public Integer call() throws Exception {
        if (model != null && registry == null) {
            throw new IllegalArgumentException("--model names the model in --registry: give --registry DIR too");
        }
        VqvaeConfig cfg = job(config, speechDir);
        VqvaeData data = VqvaeData.load(cfg);
        System.out.println("spoken digits: " + data.train().size() + " train, " + data.test().size() + " test, speakers "
                + data.speakers());
        VqvaeRun.RegistryTarget target = registry == null ? null
                : new VqvaeRun.RegistryTarget(registry.toAbsolutePath(), model == null ? "units" : model);
        Path runDir = Path.of(cfg.runDir());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Double> metrics = VqvaeRun.trainAndEvaluate(cfg, data, m, runDir, cfg.bottleneck(),
                    new ConsoleProgress(System.out), target, System.out);
            metrics.forEach((k, v) -> System.out.printf(Locale.ROOT, "%s = %.4f%n", k, v));
            System.out.println("run directory: " + runDir.toAbsolutePath());
        }
        return 0;
    }

    /** The job config with {@code --speech-dir} applied; sets PyTorch's threads from it before the engine starts. */
    static VqvaeConfig job(Path file, Path speechDir) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such config file: " + file);
        }
        VqvaeConfig cfg = VqvaeConfig.read(file);
        if (speechDir != null) {
            cfg = cfg.withSpeechDir(speechDir.toAbsolutePath().toString());
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cfg.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return cfg;
    }
}
