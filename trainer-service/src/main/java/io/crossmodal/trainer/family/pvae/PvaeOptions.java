package io.crossmodal.trainer.family.pvae;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** The options both PVAE commands take ({@code --config}, {@code --speech-dir}) and the set-up they share. */
final class PvaeOptions {
    /** Tribuo logs every k-means iteration at INFO; the evaluation runs hundreds. Held so the setting is not collected. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The PVAE job (pvae-train) or study config.")
    Path config;

    @Option(names = "--speech-dir", paramLabel = "DIR", description = "Overrides the config's spoken-digit directory.")
    Path speechDir;

    /** The config file, checked to exist; quiets Tribuo. */
    Path configFile() {
        TRIBUO_LOG.setLevel(Level.WARNING);
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("no such config file: " + config);
        }
        return config;
    }

    /** A PVAE job config with {@code --speech-dir} applied; sets PyTorch's threads from it before the engine starts. */
    PvaeConfig job(Path file) throws IOException {
        PvaeConfig cfg = PvaeConfig.read(file);
        if (speechDir != null) {
            cfg = cfg.withSpeechDir(speechDir.toAbsolutePath().toString());
        }
        threads(cfg.threads());
        return cfg;
    }

    /** PyTorch's threads; set before the engine starts (the training family calls it too). */
    static void threads(int n) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** The options as given, for the record of how a study was run. */
    String commandLine() {
        return "--config " + config + (speechDir == null ? "" : " --speech-dir " + speechDir);
    }
}
