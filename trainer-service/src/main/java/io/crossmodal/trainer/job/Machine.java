package io.crossmodal.trainer.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The processor a figure was measured on. Training is deterministic on one machine but not across
 * processors (math-library kernels differ: docs/NOISY_CHANNEL.md), so results record it.
 */
public final class Machine {
    private Machine() {}

    /** The CPU model name ({@code lscpu}'s "Model name", read from /proc/cpuinfo), else os.arch. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }
}
