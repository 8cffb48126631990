package io.crossmodal.trainer.family.vqvae.study;

import io.crossmodal.runtime.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The study's plan (JSON): the base job file (relative to this file), the bottlenecks, the jitter
 * settings and seeds to cross, the speakers held out from the digit probe, where runs and the
 * report go (relative to the working directory).
 *
 * @param jitterP optional jitter probabilities to sweep for the runs with jitter on (each in
 *     (0, 0.5]); absent: the job's {@code jitterP} only. When present, run names and table rows
 *     carry the probability ({@code vq-jitter-p0.12-s1}, {@code vq + jitter p=0.12}).
 * @param figures whether to draw the spectrograms and write the WAVs of the best VQ + jitter run
 *     (absent: yes; a sweep that only wants the table turns them off)
 */
public record VqvaeStudyConfig(String job, List<String> bottlenecks, List<Boolean> jitter, List<Double> jitterP,
        List<Long> seeds, List<String> heldOutSpeakers, String runRoot, String outDir, Boolean figures) {

    public VqvaeStudyConfig {
        if (job == null || bottlenecks == null || bottlenecks.isEmpty() || jitter == null || jitter.isEmpty() || seeds == null
                || seeds.isEmpty() || heldOutSpeakers == null || heldOutSpeakers.isEmpty()) {
            throw new IllegalArgumentException("a VQ-VAE study needs job, bottlenecks, jitter, seeds and heldOutSpeakers");
        }
        if (jitterP != null && (jitterP.isEmpty() || jitterP.stream().anyMatch(p -> p == null || !(p > 0 && p <= 0.5)))) {
            throw new IllegalArgumentException("jitterP, when given, lists probabilities in (0, 0.5]; jitter off is \"jitter\": [false]");
        }
        figures = figures == null ? Boolean.TRUE : figures;
        runRoot = runRoot == null ? "runs/vqvae-study" : runRoot;
        outDir = outDir == null ? "docs/vqvae" : outDir;
    }

    public static VqvaeStudyConfig read(Path file) throws IOException {
        return Json.STRICT.readValue(file.toFile(), VqvaeStudyConfig.class);
    }
}
