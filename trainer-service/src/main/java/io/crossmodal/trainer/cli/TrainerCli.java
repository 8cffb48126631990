package io.crossmodal.trainer.cli;

import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.Seq2SeqJob;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Path;
import java.util.Arrays;

/** Command line: {@code train}, {@code evaluate}, {@code export}. Exit codes: 0 ok, 1 failure, 2 usage. */
public final class TrainerCli {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            return args.length == 0 ? 2 : 0;
        }
        try {
            String cmd = args[0];
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (cmd) {
                case "train" -> {
                    JobConfig cfg = JobConfig.read(Path.of(option(rest, "--config")));
                    configureThreads(cfg.train().threads());
                    Seq2SeqJob job = new Seq2SeqJob(new ConsoleProgress(System.out), () -> false);
                    try (var models = job.train(cfg, Seq2SeqJob.loadLexicon(cfg), Path.of(cfg.runDir()))) {
                        System.out.println("trained " + models.results.keySet());
                    }
                    return 0;
                }
                default -> {
                    System.err.println("unknown command '" + cmd + "'");
                    usage();
                    return 2;
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("error: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    /** PyTorch reads its thread counts once, when the engine loads: set them before any DJL call. */
    static void configureThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
    }

    static String option(String[] args, String name) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing required option " + name);
    }

    private static void usage() {
        System.err.println("""
                usage: crossmodal-trainer <command> [options]
                  train    --config job.json     train the components named in the config, evaluate, export a bundle
                  evaluate --model NAME [--version V] [--split test]   evaluate a registered bundle
                  export   --run DIR             export a trained run directory as a bundle
                """);
    }
}
