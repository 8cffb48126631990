package io.crossmodal.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's output has no logging-setup noise: run in a fresh JVM without the
 * {@code java.util.logging.manager} setting (as {@code scripts/crossmodal} runs it), a command followed
 * by a JDK-style log call through {@link System.Logger} (what Runtime.exit does on JDK 21+, and grpc-netty
 * on TLS connections) prints no JBoss LogManager ERROR line, and INFO log lines still reach standard error.
 */
class TrainerCliLoggingTest {

    /** Runs the CLI, then logs like the JDK does at exit; exit status is the CLI's. */
    public static final class Probe {
        public static void main(String[] args) {
            int rc = TrainerCli.run(args);
            System.getLogger("crossmodal.cli.probe").log(System.Logger.Level.DEBUG, "probe");
            org.jboss.logging.Logger.getLogger("crossmodal.cli.probe").info("info lines are shown");
            System.exit(rc);
        }
    }

    @Test
    void cliPrintsNoLogManagerError(@TempDir Path registry) throws Exception {
        Files.createDirectories(registry.resolve("x/1"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName(),
                "history", "--model", "x", "--registry", registry.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI finished");
        assertEquals(0, p.exitValue(), stderr);
        assertFalse(stderr.contains("LogManager"), "stderr: " + stderr);
        assertFalse(stderr.contains("ERROR"), "stderr: " + stderr);
        assertTrue(stderr.contains("INFO") && stderr.contains("info lines are shown"), "stderr: " + stderr);
    }
}
