package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer API's {@code family_config_json} for a VQ-VAE job: parsed into the job's {@code vqvae} section by the
 * strict parser, its sizes checked against the trainer's limits, its {@code speechDir} against the data directories,
 * and the section given back as JSON; the memory estimate grows with the sizes so hostile ones are refused.
 */
class VqvaeFamilySettingsTest {

    @TempDir
    Path data;

    static final JobLimits LIMITS = new JobLimits() {
        public int embeddingSize() { return 256; }
        public int hiddenSize() { return 512; }
        public int maxOutputLength() { return 200; }
        public int batchSize() { return 256; }
        public int epochs() { return 100; }
        public long maxSteps() { return 1_000_000; }
        public int patience() { return 10; }
        public int threads() { return 4; }
        public int devWords() { return 5000; }
        public int beamWidth() { return 16; }
        public int words() { return 200_000; }
        public long lexiconMaxBytes() { return 1 << 20; }
        public long memoryBudgetMib() { return 2048; }
    };

    JobConfig apply(String section) {
        JobConfig base = JobConfig.parse("{\"name\": \"units\", \"family\": \"vqvae\"}");
        return FamilySettings.apply(base, section, LIMITS, new LexiconPaths(List.of(data.toString()), 1 << 20));
    }

    @Test
    void aSectionWithinTheLimitsBecomesTheJobsVqvaeSettings() throws Exception {
        Path fsdd = Files.createDirectories(data.resolve("fsdd"));
        JobConfig cfg = apply("{\"speechDir\": \"" + fsdd + "\", \"channels\": 32, \"codes\": 128, \"epochs\": 3}");
        assertEquals(32, cfg.vqvae().channels());
        assertEquals(128, cfg.vqvae().codes());
        assertEquals(3, cfg.vqvae().epochs());
        String json = FamilySettings.json(cfg);
        assertTrue(json.replaceAll("\\s", "").contains("\"channels\":32"), json);
        assertEquals(cfg, apply(json), "the section given back applies to the same job");
    }

    @Test
    void sizesBeyondTheLimitsAPathOutsideTheDataAndUnknownFieldsAreRefused() throws Exception {
        Path fsdd = Files.createDirectories(data.resolve("fsdd"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> apply("{\"speechDir\": \"" + fsdd + "\", \"channels\": 100000}"));
        assertTrue(e.getMessage().contains("family_config_json.channels is 100000, more than the trainer's limit of 512"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> apply("{\"speechDir\": \"" + fsdd + "\", \"threads\": 64}"));
        assertTrue(e.getMessage().contains("family_config_json.threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> apply("{\"speechDir\": \"/etc\"}"));
        assertTrue(e.getMessage().contains("speechDir must name a readable directory inside one of the trainer's data"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> apply("{\"epochs\": 2}"));
        assertTrue(e.getMessage().contains("speechDir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> apply("{\"speechDir\": \"" + fsdd + "\", \"chanels\": 8}"));
        assertTrue(e.getMessage().contains("chanels"), e.getMessage());
    }

    @Test
    void theMemoryEstimateGrowsWithTheSizes() throws Exception {
        Path fsdd = Files.createDirectories(data.resolve("fsdd"));
        double small = JobMemoryEstimate.bytes(apply("{\"speechDir\": \"" + fsdd + "\"}"));
        double big = JobMemoryEstimate.bytes(apply("{\"speechDir\": \"" + fsdd
                + "\", \"channels\": 512, \"decoderHidden\": 512, \"batchSize\": 256, \"frames\": 200}"));
        assertTrue(small > 0 && small < 256.0 * 1024 * 1024, "the default model is small: " + small);
        assertTrue(big > 20 * small, small + " -> " + big);
    }
}
