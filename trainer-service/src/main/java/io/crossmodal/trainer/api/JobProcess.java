package io.crossmodal.trainer.api;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.trainer.progress.ProgressEvent;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one job's JVM ({@link JobProcessMain}) with a bounded heap, so a job that runs out of memory, crashes
 * natively or hangs takes only itself down, never the service (and its lifecycle relay) with it; the same
 * reasoning as the study runner's one process per run.
 *
 * <p>The child's classpath, in this order: {@code crossmodal.trainer.job.classpath} when configured; else, when
 * the service runs from Quarkus' packaged fast-jar layout ({@code java -jar .../quarkus-app/quarkus-run.jar}: the
 * JVM's class path is that one jar, whose manifest names only {@code lib/boot}, while the application's classes
 * are loaded by Quarkus' own class loader from {@code app/} and {@code lib/main/}), the wildcards
 * {@code quarkus-app/app/*}, {@code lib/main/*} and {@code lib/boot/*} (the same class path the container
 * image's CLI uses); else the JVM's own class path (Maven, surefire and IDE runs: it holds the classes and every
 * dependency). The child's main class is plain Java, so it needs no Quarkus bootstrap.
 */
final class JobProcess {
    // the project's JSON settings (Json.base()), and NaN as a number: a job's metrics may be NaN
    private static final ObjectMapper JSON = Json.base().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private JobProcess() {
    }

    /** The command line of a job's JVM. */
    static List<String> command(String classpath, String maxHeap, Path configFile, String actor) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx" + maxHeap);
        // an out-of-memory error ends the job's JVM at once (reported as a failed job) instead of leaving it
        // half-alive
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(JobProcessMain.class.getName());
        cmd.add(configFile.toString());
        cmd.add(actor);
        return cmd;
    }

    /** The class path for a job's JVM (see the class comment). */
    static String classpath(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String own = System.getProperty("java.class.path", "");
        Path fastJarDir = fastJarDir(own);
        if (fastJarDir != null) {
            return String.join(File.pathSeparator, fastJarDir.resolve("app") + File.separator + "*",
                    fastJarDir.resolve("lib").resolve("main") + File.separator + "*",
                    fastJarDir.resolve("lib").resolve("boot") + File.separator + "*");
        }
        return own;
    }

    /** The {@code quarkus-app} directory when {@code classpath} is just its {@code quarkus-run.jar}, else null. */
    static Path fastJarDir(String classpath) {
        String[] entries = classpath.split(File.pathSeparator);
        if (entries.length != 1 || !entries[0].endsWith("quarkus-run.jar")) {
            return null;
        }
        Path dir = Path.of(entries[0]).toAbsolutePath().getParent();
        if (dir != null && Files.isDirectory(dir.resolve("app")) && Files.isDirectory(dir.resolve("lib").resolve("main"))) {
            return dir;
        }
        return null;
    }

    /** What a job's process reported on its protocol (see {@link JobProcessMain}). */
    record Report(boolean succeeded, String model, int version, int threads, String failure) {
    }

    /** The parent's side of the protocol. */
    interface Listener {
        void progress(ProgressEvent event);

        /** The process asks to register its bundle now: true allows it (past this, the job cannot be cancelled). */
        boolean mayRegister();
    }

    /**
     * Reads the process's protocol until its output ends (it exited or was killed), answering its registration
     * request; lines that are not protocol messages are ignored.
     */
    static Report follow(Process p, Listener listener) {
        boolean succeeded = false;
        String failure = null;
        String model = null;
        int version = -1;
        int threads = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream()) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                JsonNode m;
                try {
                    m = JSON.readTree(line);
                } catch (IOException e) {
                    continue;
                }
                switch (m.path("type").asText()) {
                    case "progress" -> listener.progress(JSON.treeToValue(m.get("event"), ProgressEvent.class));
                    case "register" -> {
                        in.write((listener.mayRegister() ? "go\n" : "cancel\n").getBytes(StandardCharsets.UTF_8));
                        in.flush();
                    }
                    case "outcome" -> {
                        succeeded = true;
                        threads = m.path("threads").asInt();
                        if (m.hasNonNull("model")) {
                            model = m.get("model").asText();
                            version = m.get("version").asInt();
                        }
                    }
                    case "failed" -> failure = m.path("message").asText();
                    default -> {
                        // "cancelled" and unknown types: the exit code decides
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed (cancelled) or closed its output: its exit code decides
        }
        return new Report(succeeded, model, version, threads, failure);
    }

    /** Starts the JVM; stderr goes to {@code log}, stdout and stdin carry the protocol. */
    static Process start(List<String> command, Path log, int threads) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        // native thread pools (OpenMP, MKL) honour the job's thread count too
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        return pb.start();
    }
}
