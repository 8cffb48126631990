package io.crossmodal.trainer.family.pvae.study;

import io.crossmodal.runtime.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The PVAE study (JSON): the base job, the seeds, the variants trained with every recording
 * paired, and the little-paired settings (N pairs per digit) with the variants they apply to.
 *
 * @param job path of the base {@link io.crossmodal.trainer.family.pvae.PvaeConfig} (relative to this file's directory)
 * @param runsDir where each run's checkpoints and graphs go; a finished run (metrics.json) is reused
 * @param outDir where results.md, results.json and the PNGs are written
 */
public record PvaeStudyConfig(String job, List<Long> seeds, List<String> variants, List<Integer> pairedPerDigit,
        List<String> littlePairedVariants, String runsDir, String outDir) {

    public PvaeStudyConfig {
        if (job == null || seeds == null || seeds.isEmpty() || variants == null || variants.isEmpty()) {
            throw new IllegalArgumentException("a PVAE study needs job, seeds and variants");
        }
        pairedPerDigit = pairedPerDigit == null ? List.of() : List.copyOf(pairedPerDigit);
        littlePairedVariants = littlePairedVariants == null ? List.of("pvae") : List.copyOf(littlePairedVariants);
        runsDir = runsDir == null ? "runs/pvae-study" : runsDir;
        outDir = outDir == null ? "docs/pvae" : outDir;
    }

    public static PvaeStudyConfig read(Path file) throws IOException {
        return Json.STRICT.readValue(file.toFile(), PvaeStudyConfig.class);
    }
}
