package io.crossmodal.trainer.family.vqvae.study;

import io.crossmodal.runtime.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The study's plan (JSON): the base job file (relative to this file), the bottlenecks, the jitter
 * settings and seeds to cross, the speakers held out from the digit probe, where runs and the
 * report go (relative to the working directory).
 */
public record VqvaeStudyConfig(String job, List<String> bottlenecks, List<Boolean> jitter, List<Long> seeds,
        List<String> heldOutSpeakers, String runRoot, String outDir) {

    public VqvaeStudyConfig {
        if (job == null || bottlenecks == null || bottlenecks.isEmpty() || jitter == null || jitter.isEmpty() || seeds == null
                || seeds.isEmpty() || heldOutSpeakers == null || heldOutSpeakers.isEmpty()) {
            throw new IllegalArgumentException("a VQ-VAE study needs job, bottlenecks, jitter, seeds and heldOutSpeakers");
        }
        runRoot = runRoot == null ? "runs/vqvae-study" : runRoot;
        outDir = outDir == null ? "docs/vqvae" : outDir;
    }

    public static VqvaeStudyConfig read(Path file) throws IOException {
        return Json.STRICT.readValue(file.toFile(), VqvaeStudyConfig.class);
    }
}
