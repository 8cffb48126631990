package io.crossmodal.trainer.family.pvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.study.PvaeStudy;
import io.crossmodal.trainer.family.pvae.study.PvaeStudyConfig;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The PVAE's CLI commands, reached from TrainerCli by one dispatch line:
 * {@code pvae-train --config FILE [--speech-dir DIR] [--registry DIR [--model NAME]]} trains, exports the ONNX graphs
 * and evaluates one model, and with {@code --registry} writes it as the next version of model NAME (default
 * {@code digits}) there, a bundle the services serve;
 * {@code pvae-study --config FILE} runs the study (PVAE and baselines, seeds, little paired data).
 */
public final class PvaeCommands {

    /** Tribuo logs every k-means iteration at INFO; the evaluation runs hundreds. Held so the setting is not collected. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    private PvaeCommands() {
    }

    public static int run(String cmd, String[] args) throws Exception {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
        Path config = Path.of(option(args, "--config"));
        if (!java.nio.file.Files.isRegularFile(config)) {
            throw new IllegalArgumentException("no such config file: " + config);
        }
        if (cmd.equals("pvae-study")) {
            PvaeStudyConfig study = PvaeStudyConfig.read(config);
            Path jobFile = config.toAbsolutePath().getParent().resolve(study.job());
            PvaeConfig base = speechDir(PvaeConfig.read(jobFile), args);
            threads(base.threads());
            new PvaeStudy(study, base, "scripts/crossmodal pvae-study " + String.join(" ", args), System.out).run();
            return 0;
        }
        PvaeConfig cfg = speechDir(PvaeConfig.read(config), args);
        threads(cfg.threads());
        switch (cmd) {
            case "pvae-train" -> {
                PvaeData data = PvaeData.load(cfg);
                System.out.println("speech: " + data.speechSource() + " (" + data.speechTrain().size() + " train, "
                        + data.speechTest().size() + " test); images: " + data.imageTrain().size() + " train, "
                        + data.imageTest().size() + " test");
                Path runDir = Path.of(cfg.runDir());
                try (NDManager m = NDManager.newBaseManager()) {
                    Map<String, Double> metrics = PvaeRun.trainAndEvaluate(cfg, data, m, runDir, runDir.resolve("figures"),
                            cfg.variant(), new ConsoleProgress(System.out), System.out, registry(args));
                    metrics.forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "%s = %.4f%n", k, v));
                    System.out.println("run directory: " + runDir.toAbsolutePath());
                }
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown PVAE command " + cmd);
        }
    }

    /** {@code --registry DIR [--model NAME]}: where the trained model is written as a bundle, or null. */
    static PvaeRun.RegistryTarget registry(String[] args) {
        int i = Arrays.asList(args).indexOf("--registry");
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--registry needs a directory");
        }
        int j = Arrays.asList(args).indexOf("--model");
        String model = j < 0 ? "digits" : option(args, "--model");
        return new PvaeRun.RegistryTarget(Path.of(args[i + 1]).toAbsolutePath(), model);
    }

    /** {@code --speech-dir DIR} overrides the config's spoken-digit directory. */
    static PvaeConfig speechDir(PvaeConfig cfg, String[] args) {
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
