package io.crossmodal.trainer.api;

import java.io.File;
import java.io.IOException;
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
