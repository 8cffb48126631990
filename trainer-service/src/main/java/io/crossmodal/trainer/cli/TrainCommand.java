package io.crossmodal.trainer.cli;

import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train --config job.json}: train (resuming from the run's checkpoints), evaluate on test, export a bundle. */
@Command(name = "train", description = "Train (resuming from the run's checkpoints), evaluate on test, export a bundle.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--config", required = true, paramLabel = "JOB.json", description = "The job config.")
    Path config;

    @Override
    public Integer call() throws Exception {
        return run(config, false);
    }

    /** Train, or with {@code exportOnly} evaluate and export a run that was trained already. */
    static int run(Path config, boolean exportOnly) throws Exception {
        JobConfig cfg = JobConfig.read(config);
        if (exportOnly && !Files.isDirectory(Path.of(cfg.runDir(), "checkpoints"))) {
            throw new IllegalArgumentException("nothing trained in " + cfg.runDir() + " (run train first)");
        }
        TrainerCli.configureThreads(cfg.train().threads());
        TrainingRun.Outcome out = TrainingRun.run(cfg, new ConsoleProgress(System.out), () -> false);
        out.scores().forEach((c, s) -> System.out.println(c + " test: " + describe(s.metrics())));
        System.out.println("run directory: " + out.runDir().toAbsolutePath());
        if (out.bundle() != null) {
            System.out.println("bundle: " + out.bundle().model() + "/" + out.bundle().version() + " in "
                    + out.bundle().directory().toAbsolutePath());
        }
        return 0;
    }

    /**
     * "per 12.34 %, wer 45.67 %, words 5000" style: rates (in [0, 1]) as percentages, counts as integers, other
     * figures (a rate in Hz, a perplexity) as plain numbers.
     */
    static String describe(Map<String, Double> metrics) {
        List<String> parts = new ArrayList<>();
        metrics.forEach((name, v) -> parts.add(v == Math.rint(v) && Math.abs(v) > 1
                ? String.format(Locale.ROOT, "%s %d", name, v.longValue())
                : v >= 0 && v <= 1 ? String.format(Locale.ROOT, "%s %.2f%%", name.toUpperCase(Locale.ROOT), 100 * v)
                : String.format(Locale.ROOT, "%s %.3f", name.toUpperCase(Locale.ROOT), v)));
        return String.join(", ", parts);
    }
}
