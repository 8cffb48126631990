package io.crossmodal.trainer.cli;

import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.trainer.family.pvae.PvaeStudyCommand;
import io.crossmodal.trainer.family.pvae.PvaeTrainCommand;
import io.crossmodal.trainer.family.vqvae.VqvaeStudyCommand;
import io.crossmodal.trainer.family.vqvae.VqvaeTrainCommand;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Command line ({@code scripts/crossmodal}, the Kubernetes Job and CronJob): one picocli command class per
 * command. Exit codes: 0 ok, 1 failure, 2 usage or invalid input (unknown command or option, missing or malformed
 * value, invalid config), 3 promotion refused by the gate. It is a plain {@code main}, not a Quarkus application:
 * the same jar's Quarkus entry point is the Trainer API (docs/DESIGN.md, "Libraries").
 */
@Command(name = "crossmodal-trainer",
        description = "Train, evaluate, export and promote crossmodal models; talk to running services.",
        subcommands = {TrainCommand.class, ExportCommand.class, EvaluateCommand.class, StudyCommand.class,
                ClientCommand.class, PromoteCommand.class, RollbackCommand.class, GcCommand.class, HistoryCommand.class,
                LineageCommand.class, PvaeTrainCommand.class, PvaeStudyCommand.class,
                VqvaeTrainCommand.class, VqvaeStudyCommand.class},
        footer = {"", "Run 'crossmodal-trainer COMMAND --help' for a command's options.",
                "Actor (lifecycle records): --actor, else $CROSSMODAL_ACTOR, else the user name.",
                "Exit codes: 0 ok, 1 failure, 2 usage/invalid input, 3 promotion refused by the gate."})
public final class TrainerCli implements Callable<Integer> {
    /** Exit code of a usage error or invalid input. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a failure (model not found, corrupt bundle, a run that failed). */
    public static final int EXIT_FAILURE = 1;

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

    @Mixin
    HelpOption help;

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

    /** Runs one command line; returns its exit code (never exits the JVM: tests and the study runner call this). */
    public static int run(String[] args) {
        return commandLine().execute(args);
    }

    /** The command line with this CLI's error handling and exit codes. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TrainerCli());
        // "@file" stays a value (a word to decode may start with '@'), as before picocli
        cli.setExpandAtFiles(false);
        cli.setParameterExceptionHandler(TrainerCli::usageError);
        cli.setExecutionExceptionHandler(TrainerCli::failure);
        return cli;
    }

    /** No command given: the overview, as a usage error. */
    @Override
    public Integer call() {
        CommandLine cli = new CommandLine(this);
        cli.usage(cli.getErr());
        return EXIT_USAGE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && cmd.getParent() == null) {
            List<String> unmatched = u.getUnmatched();
            if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                message = "unknown command '" + unmatched.get(0) + "'";
            }
        }
        err.println("error: " + message);
        if (!UnmatchedArgumentException.printSuggestions(e, err)) {
            cmd.usage(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    private static int failure(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage()); // invalid input: a config, a value, a file
            err.flush();
            return EXIT_USAGE;
        }
        if (e instanceof ModelNotFoundException || e instanceof BundleCorruptException || e instanceof IllegalStateException) {
            err.println("error: " + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        err.println("error: " + e);
        e.printStackTrace(err);
        err.flush();
        return EXIT_FAILURE;
    }

    /** PyTorch reads its thread counts once, when the engine loads: set them before any DJL call. */
    static void configureThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
    }
}
