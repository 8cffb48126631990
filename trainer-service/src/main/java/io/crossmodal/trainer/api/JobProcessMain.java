package io.crossmodal.trainer.api;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.train.ComponentTrainer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The main class of a job's own JVM ({@link JobProcess}): runs one {@link TrainingRun} and talks to the Trainer
 * API over its standard streams, one JSON object per line on stdout ({@code progress}, {@code register},
 * {@code outcome}, {@code failed}); everything else the job prints goes to stderr (the job's log file).
 * From stdin it reads {@code go} (the answer to {@code register}: the parent allows the registration) or
 * {@code cancel}; end of input (the service is gone) stops the job, so no job outlives its service.
 * Arguments: the job config file, the actor to register the bundle as.
 */
public final class JobProcessMain {
    static final int EXIT_CANCELLED = 4;
    static final int EXIT_FAILED = 1;
    /** One protocol message per line. */
    private static final ObjectMapper JSON = Json.LINE;

    private JobProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        JobConfig cfg = JobConfig.read(Path.of(args[0]));
        String actor = args[1];
        // PyTorch reads its thread counts once, when the engine loads: before any DJL call
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cfg.train().threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");

        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<Boolean> registrationAllowed = new CompletableFuture<>();
        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("go")) {
                        registrationAllowed.complete(true);
                    } else if (line.equals("cancel")) {
                        cancelled.set(true);
                        registrationAllowed.complete(false);
                    }
                }
            } catch (java.io.IOException ignored) {
                // treated as end of input
            }
            // the service is gone (or closed our input): nobody would register or report this job
            cancelled.set(true);
            registrationAllowed.complete(false);
            Runtime.getRuntime().halt(EXIT_CANCELLED);
        }, "job-stdin");
        stdin.setDaemon(true);
        stdin.start();

        try {
            TrainingRun.Outcome out = TrainingRun.run(cfg, e -> {
                send(protocol, progress(e));
                if (e.component().equals("job") && e.phase().equals(TrainingRun.REGISTER)) {
                    send(protocol, Map.of("type", "register"));
                    if (!registrationAllowed.join()) {
                        cancelled.set(true);
                    }
                }
            }, cancelled::get, actor);
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("type", "outcome");
            // what PyTorch actually used, so the job reports its threads truthfully
            outcome.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
            if (out.bundle() != null) {
                outcome.put("model", out.bundle().model());
                outcome.put("version", out.bundle().version());
            }
            send(protocol, outcome);
            protocol.flush();
            Runtime.getRuntime().halt(0);
        } catch (ComponentTrainer.CancelledException e) {
            send(protocol, Map.of("type", "cancelled"));
            Runtime.getRuntime().halt(EXIT_CANCELLED);
        } catch (Throwable e) {
            e.printStackTrace();
            send(protocol, Map.of("type", "failed", "message", e.getClass().getSimpleName() + ": "
                    + CallerInput.cut(String.valueOf(e.getMessage()), 500)));
            Runtime.getRuntime().halt(EXIT_FAILED);
        }
    }

    private static Map<String, Object> progress(ProgressEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "progress");
        m.put("event", e);
        return m;
    }

    private static synchronized void send(PrintStream protocol, Map<String, ?> message) {
        try {
            protocol.println(JSON.writeValueAsString(message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
