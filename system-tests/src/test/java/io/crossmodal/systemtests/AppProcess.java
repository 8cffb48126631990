package io.crossmodal.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One JVM started from a packaged artifact: its output goes to a log file (kept for CI) and to memory (printed
 * when a test fails), the HTTP port it reports is parsed from Quarkus' "Listening on" line, and it is killed
 * on {@link #close()} or, at the latest, by a shutdown hook of the test JVM.
 */
final class AppProcess implements AutoCloseable {
    /** Quarkus' startup line, e.g. {@code ... Listening on: http://127.0.0.1:43127}; the real port also when 0 was asked for. */
    private static final Pattern LISTENING = Pattern.compile("Listening on: (https?)://([^\\s:]+|\\[[^]]+]):(\\d+)");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // a test JVM that is killed or exits early must not leave servers behind on a shared machine
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }), "kill-started-apps"));
    }

    final String name;
    final Path logFile;
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread pump;

    private AppProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.pump = new Thread(this::pump, "log-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code command} in {@code workDir} with the current environment plus {@code env} (a null value
     * removes a variable); stdout and stderr go to {@code logDir/<name>.log}.
     */
    static AppProcess start(String name, List<String> command, Map<String, String> env, Path workDir, Path logDir) {
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            Files.writeString(log, "$ " + String.join(" ", command) + "\n  (in " + workDir + ", env " + env + ")\n");
            Process p = pb.start();
            LIVE.add(p);
            return new AppProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                log.write(line);
                log.write('\n');
                log.flush();
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(3)));
                }
            }
        } catch (IOException e) {
            output.append("[log pump: ").append(e).append("]\n");
        } finally {
            port.completeExceptionally(new IllegalStateException(name + " ended its output before it was listening"));
        }
    }

    /** Waits for the "Listening on" line; fails with the log if the process exits or the time runs out first. */
    int awaitPort(Duration limit) {
        try {
            return port.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(name + " did not report a listening port within " + limit);
        } catch (ExecutionException e) {
            throw new AssertionError(name + " exited (" + exitCodeOrAlive() + ") before it was listening", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the process to exit and returns its exit code (after its output has been read to the end). */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + limit);
        }
        pump.join(TimeUnit.SECONDS.toMillis(30));
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        return output.toString();
    }

    private String exitCodeOrAlive() {
        return process.isAlive() ? "still running" : "exit code " + process.exitValue();
    }

    /**
     * SIGTERM (Quarkus shuts down gracefully), SIGKILL if that takes too long, and SIGKILL for any child process
     * still alive afterwards (e.g. a job the process started in a JVM of its own).
     */
    @Override
    public void close() {
        try {
            List<ProcessHandle> children = process.descendants().toList();
            // through the handle: Process.destroy() would also close our end of its output, losing the shutdown log
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }
}
