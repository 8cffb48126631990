package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The VQ-VAE family's CLI commands, reached from TrainerCli by one dispatch line:
 * {@code vqvae-train --config FILE [--speech-dir DIR] [--registry DIR [--model NAME]]} trains one model,
 * measures it, exports its ONNX graphs and, with {@code --registry}, writes it as the next version of
 * model NAME (default {@code units}) there, a bundle the services serve; {@code vqvae-study --config FILE}
 * runs the study.
 */
public final class VqvaeCommands {

    private VqvaeCommands() {
    }

    public static int run(String cmd, String[] args) throws Exception {
        Path config = Path.of(option(args, "--config"));
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("no such config file: " + config);
        }
        if (cmd.equals("vqvae-study")) {
            return VqvaeStudyCommand.run(config, args);
        }
        if (!cmd.equals("vqvae-train")) {
            throw new IllegalArgumentException("unknown VQ-VAE command " + cmd);
        }
        VqvaeConfig cfg = speechDir(VqvaeConfig.read(config), args);
        threads(cfg.threads());
        VqvaeData data = VqvaeData.load(cfg);
        System.out.println("spoken digits: " + data.train().size() + " train, " + data.test().size() + " test, speakers "
                + data.speakers());
        Path runDir = Path.of(cfg.runDir());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Double> metrics = VqvaeRun.trainAndEvaluate(cfg, data, m, runDir, cfg.bottleneck(),
                    new ConsoleProgress(System.out), registry(args), System.out);
            metrics.forEach((k, v) -> System.out.printf(Locale.ROOT, "%s = %.4f%n", k, v));
            System.out.println("run directory: " + runDir.toAbsolutePath());
        }
        return 0;
    }

    /** {@code --registry DIR [--model NAME]} (default name {@code units}), or null. */
    static VqvaeRun.RegistryTarget registry(String[] args) {
        int i = Arrays.asList(args).indexOf("--registry");
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--registry needs a directory");
        }
        String model = Arrays.asList(args).contains("--model") ? option(args, "--model") : "units";
        return new VqvaeRun.RegistryTarget(Path.of(args[i + 1]).toAbsolutePath(), model);
    }

    static VqvaeConfig speechDir(VqvaeConfig cfg, String[] args) {
        int i = Arrays.asList(args).indexOf("--speech-dir");
        if (i < 0) {
            return cfg;
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--speech-dir needs a directory");
        }
        return cfg.withSpeechDir(Path.of(args[i + 1]).toAbsolutePath().toString());
    }

    /** PyTorch's thread counts must be set before the engine starts. */
    static void threads(int n) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    static String option(String[] args, String name) {
        int i = Arrays.asList(args).indexOf(name);
        if (i < 0 || i + 1 >= args.length) {
            throw new IllegalArgumentException("missing " + name + " FILE");
        }
        return args[i + 1];
    }
}
