package io.crossmodal.trainer.cli;

import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Command line: {@code train}, {@code export}, {@code evaluate}, {@code client}, and the lifecycle
 * commands {@code promote}, {@code rollback}, {@code gc}, {@code history}, {@code lineage}.
 * Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 promotion refused by the gate.
 */
public final class TrainerCli {

    static {
        // JBoss LogManager is on the class path (Quarkus), so the JDK's System.Logger finder is JBoss's; unless
        // java.util.logging uses JBoss LogManager too, it prints "ERROR: The LogManager accessed before ..." the
        // first time the JDK logs: at every exit on JDK 21+ (Runtime.exit logs), on TLS connections (grpc-netty).
        // Set before anything logs, here, the first thing the CLI runs; an explicit -D setting wins.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
            consoleLogging();
        }
    }

    private static void consoleLogging() {
        // Quarkus' start-up configurator (on the class path) only queues records until a Quarkus application
        // starts, which the CLI never does: print INFO and above on standard error, as java.util.logging did
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.ConsoleHandler console = new java.util.logging.ConsoleHandler();
        console.setLevel(java.util.logging.Level.INFO);
        console.setFormatter(new java.util.logging.SimpleFormatter());
        root.addHandler(console);
    }

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
                case "train", "export" -> {
                    JobConfig cfg = JobConfig.read(Path.of(option(rest, "--config")));
                    if (cmd.equals("export") && !Files.isDirectory(Path.of(cfg.runDir(), "checkpoints"))) {
                        throw new IllegalArgumentException("nothing trained in " + cfg.runDir() + " (run train first)");
                    }
                    configureThreads(cfg.train().threads());
                    TrainingRun.Outcome out = TrainingRun.run(cfg, new ConsoleProgress(System.out), () -> false);
                    out.scores().forEach((c, s) -> System.out.println(c + " test: " + describe(s.metrics())));
                    System.out.println("run directory: " + out.runDir().toAbsolutePath());
                    if (out.bundle() != null) {
                        System.out.println("bundle: " + out.bundle().model() + "/" + out.bundle().version() + " in "
                                + out.bundle().directory().toAbsolutePath());
                    }
                    return 0;
                }
                case "client" -> {
                    return ClientCommand.run(rest);
                }
                case "study" -> {
                    io.crossmodal.trainer.study.StudyConfig study =
                            io.crossmodal.trainer.study.StudyConfig.read(Path.of(option(rest, "--config")));
                    io.crossmodal.trainer.study.StudyRunner runner = new io.crossmodal.trainer.study.StudyRunner(study, System.out,
                            "scripts/crossmodal study --config " + option(rest, "--config"));
                    if (Arrays.asList(rest).contains("--report-only")) {
                        runner.report(runner.collect(study.plan()));
                    } else {
                        runner.run(option(rest, "--only", null), Arrays.asList(rest).contains("--dry-run"));
                    }
                    return 0;
                }
                case "pvae-train", "pvae-study" -> {
                    return io.crossmodal.trainer.family.pvae.PvaeCommands.run(cmd, rest);
                }
                case "vqvae-train", "vqvae-study" -> {
                    return io.crossmodal.trainer.family.vqvae.VqvaeCommands.run(cmd, rest);
                }
                case "evaluate" -> {
                    EvaluateCommand.run(rest);
                    return 0;
                }
                case "promote" -> {
                    return LifecycleCommands.promote(rest);
                }
                case "rollback" -> {
                    return LifecycleCommands.rollback(rest);
                }
                case "gc" -> {
                    return LifecycleCommands.gc(rest);
                }
                case "history" -> {
                    return LifecycleCommands.history(rest);
                }
                case "lineage" -> {
                    return LifecycleCommands.lineage(rest);
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
        } catch (ModelNotFoundException | BundleCorruptException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
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
        String v = option(args, name, null);
        if (v == null) {
            throw new IllegalArgumentException("missing required option " + name);
        }
        return v;
    }

    /** A boolean option without a value, e.g. {@code --dry-run}. */
    static boolean flag(String[] args, String name) {
        return Arrays.asList(args).contains(name);
    }

    static String option(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static void usage() {
        System.err.println("""
                usage: crossmodal-trainer <command> [options]
                  train    --config job.json   train (resuming from the run's checkpoints), evaluate on test, export a bundle
                  export   --config job.json   evaluate and export an already trained run directory
                  evaluate --model NAME [--version V|alias] [--registry DIR] [--component g2p|p2g] [--split test|dev] [--beam 5]
                                               evaluate a registered bundle on the split recorded in its manifest
                  study    --config study.json [--only REGEX] [--dry-run] [--report-only]
                                               run the paired-size x system x seed study (resumable), write
                                               results.md/json and plots, alias each size's best bundle
                  client decode --target HOST:PORT --model NAME --input WORD [--beam 5] [--nbest 3]
                  client encode --target HOST:PORT --model NAME --input "PH1 PH2 ..." [--beam 5] [--nbest 3]
                                               one request to a running decoder (G2P) / encoder (P2G) service
                    client options: --tls (TLS, the JVM's CAs) | --tls-ca CA.pem (TLS, trusting CA.pem)
                                    --tls-cert CLIENT.pem --tls-key CLIENT.key (mutual TLS, PEM / PKCS#8)
                                    --token-file FILE | --token TOKEN (sent as 'authorization: Bearer'; default:
                                    env CROSSMODAL_TOKEN); see docs/SECURITY.md
                  promote  --model NAME --gate gate.json [--candidate V|alias (candidate)] [--registry DIR] [--actor WHO]
                                               evaluate candidate and production on the candidate's test split, apply the
                                               gate, record the decision, move 'production' if it passed (exit 3 if refused)
                  rollback --model NAME [--registry DIR] [--actor WHO] [--reason TEXT]
                                               point 'production' back at the previous production version
                  gc       --model NAME [--registry DIR] [--keep-latest 1] [--dry-run] [--prune-rollback-targets]
                                               delete versions no alias, rollback or the newest N need
                  history  --model NAME [--registry DIR]      versions with lineage, alias history, decisions
                  lineage  --model NAME [--version V|alias] [--registry DIR]   one version's lineage as JSON
                Actor: --actor, else $CROSSMODAL_ACTOR, else the user name. Exit codes: 0 ok, 1 failure,
                2 usage/invalid input, 3 promotion refused.
                """);
    }

    /** "per 12.34 %, wer 45.67 %, words 5000" style: rates (in [0, 1]) as percentages, counts as integers. */
    static String describe(java.util.Map<String, Double> metrics) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        metrics.forEach((name, v) -> parts.add(v == Math.rint(v) && Math.abs(v) > 1
                ? String.format(Locale.ROOT, "%s %d", name, v.longValue())
                : String.format(Locale.ROOT, "%s %.2f%%", name.toUpperCase(Locale.ROOT), 100 * v)));
        return String.join(", ", parts);
    }
}
