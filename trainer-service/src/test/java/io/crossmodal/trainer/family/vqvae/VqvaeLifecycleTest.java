package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.RatioMetric;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.trainer.cli.CliRun;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.OneComponentLifecycleContract;
import io.crossmodal.trainer.family.pvae.PvaeTinyData;
import io.crossmodal.trainer.job.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VQ-VAE job through the generic job runner and the lifecycle, on tiny spoken digits in FSDD's layout
 * ({@link PvaeTinyData}, four speakers, the last two held out of the digit probe): {@code train --config}
 * with {@code family: "vqvae"} trains, scores through ONNX Runtime (named metrics, per-example values)
 * and registers a bundle; a worse model (one epoch at a tiny learning rate) is registered through
 * {@link TrainingRun}; the CI gate ({@code configs/tiny/gate-vqvae.json}) promotes the good one,
 * refuses the worse one, and rollback restores production after a second promotion.
 */
class VqvaeLifecycleTest extends OneComponentLifecycleContract {
    static final String MODEL = "tiny-units";

    @Override
    protected String family() {
        return "vqvae";
    }

    @Override
    protected String model() {
        return MODEL;
    }

    @Override
    protected String goodConfig(String run) {
        return config(dir, registry, run, 30, 0.005);
    }

    static String config(Path dir, Path registry, String run, int epochs, double lr) {
        return """
                {"name": "%s", "family": "vqvae", "seed": 3, "runDir": "%s", "registryDir": "%s",
                 "vqvae": {"bottleneck": "vq", "speechDir": "%s", "frames": 8, "melBins": 16, "downsample": 4,
                           "channels": 16, "latentDim": 4, "codes": 16, "deadCodeSteps": 5, "cell": "gru",
                           "decoderHidden": 16, "speakerDim": 2, "epochs": %d, "batchSize": 16,
                           "learningRate": %s, "threads": 1}}"""
                .formatted(MODEL, dir.resolve("runs/" + run), registry, dir.resolve("fsdd"), epochs, lr);
    }

    @BeforeAll
    void data(@TempDir Path tmp) throws Exception {
        init(tmp, Path.of("../configs/tiny/gate-vqvae.json").toAbsolutePath().normalize());
        PvaeTinyData.speech(dir.resolve("fsdd"), 4, 8);
        assertTrue(Files.isRegularFile(gate), gate.toString());
    }

    @Test
    @Order(1)
    void trainCommandRunsAVqvaeJobAndRegistersABundleWithNamedMetrics() throws Exception {
        Path file = dir.resolve("good.json");
        Files.writeString(file, config(dir, registry, "good", 30, 0.005));
        CliRun r = cli("train", "--config", file.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        Bundle b = lc.registry().load(MODEL, "1");
        assertEquals("vqvae", b.manifest().family());
        assertEquals(List.of("vqvae"), List.copyOf(b.manifest().components().keySet()));
        assertEquals("vqvae", b.manifest().servingFor("encoder").component());
        assertEquals("vqvae", b.manifest().servingFor("decoder").component());
        double digit = metric(b, "vqvae.test.digit_probe_accuracy");
        assertTrue(digit >= 0.5, "a trained model's units say which digit was spoken: " + b.manifest().metrics());
        double speaker = metric(b, "vqvae.test.speaker_probe_accuracy");
        assertTrue(speaker >= 0 && speaker <= 1, b.manifest().metrics().toString());
        assertTrue(metric(b, "vqvae.test.recon_mse") > 0);
        double perplexity = metric(b, "vqvae.test.codebook_perplexity");
        assertTrue(perplexity >= 1 && perplexity <= 16, "perplexity within [1, K]: " + perplexity);
        assertTrue(metric(b, "vqvae.test.bits_per_second") > 0);
        assertEquals(0.25, metric(b, "vqvae.test.speaker_chance"), 1e-9);
        assertEquals("vqvae", lc.lineage(MODEL, 1).jobConfig().get("family"));
        assertNotNull(lc.lineage(MODEL, 1).dataFingerprint().get("split"));
    }

    @Test
    @Order(2)
    void aWorseModelScoresLowerPerExample() throws Exception {
        TrainingRun.Outcome worse = TrainingRun.run(JobConfig.parse(config(dir, registry, "worse", 1, 0.00001)), e -> { },
                () -> false);
        assertEquals(2, worse.bundle().version());
        ComponentScores s = worse.scores().get("vqvae");
        assertEquals(10 * 4 * 8, s.exampleIds().size(), "every recording is an example");
        assertEquals("digit_probe_accuracy", s.primaryMetric());
        Map<String, RatioMetric> per = s.perExample();
        assertEquals(10 * 2 * 8, sum(per.get("digit_probe_accuracy").denominators()),
                "the digit probe is tested on every recording of the two held-out speakers");
        assertEquals(10 * 4 * 5, sum(per.get("speaker_probe_accuracy").denominators()),
                "the speaker probe is tested on the test takes");
        double good = metric(lc.registry().load(MODEL, "1"), "vqvae.test.digit_probe_accuracy");
        double bad = per.get("digit_probe_accuracy").value();
        assertTrue(bad < good - 0.1, "untrained " + bad + " vs trained " + good);
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }
}
