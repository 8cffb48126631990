package io.crossmodal.trainer.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.trainer.cli.CliRun;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle through the real CLI on real, evaluated models: a tiny G2P model trained on the
 * synthetic lexicon of configs/tiny, a worse one (30 optimiser steps), and an identical re-registration.
 * Promote with no production, refusal of the worse candidate (exit 3, production unchanged,
 * decision recorded), promotion of an equal candidate, rollback, malformed gate, and the events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromotionFlowTest {
    static final String MODEL = "flow-g2p";
    static final Path LEXICON = Path.of("../configs/tiny/lexicon.txt").toAbsolutePath().normalize();

    Path dir;
    Path registry;
    Path gate;
    ModelLifecycle lc;

    static String config(Path runDir, Path registry, String trainExtra) {
        return """
                {"name": "%s", "data": {"source": "%s"}, "split": {"paired": -1, "dev": 50, "test": 120},
                 "model": {"embed": 16, "encHidden": 32, "decHidden": 48, "maxOutputLength": 12},
                 "train": {"batchSize": 32, "learningRate": 0.01, "epochs": 10, "patience": 3, "threads": 1,
                           "devWords": 50, "beamWidth": 3 %s},
                 "components": ["g2p"], "seed": 1, "runDir": "%s", "registryDir": "%s"}"""
                .formatted(MODEL, LEXICON, trainExtra, runDir, registry);
    }

    @BeforeAll
    void trainAndRegister(@TempDir Path tmp) throws Exception {
        dir = tmp;
        assertTrue(Files.isRegularFile(LEXICON), LEXICON + " missing");
        registry = dir.resolve("registry");
        lc = new ModelLifecycle(registry);
        gate = dir.resolve("gate.json");
        Files.writeString(gate, """
                {"metrics": {"per": {"max": 0.3, "maxRelativeIncrease": 0.02}, "wer": {"max": 0.75, "maxRelativeIncrease": 0.05}},
                 "bootstrap": {"samples": 500, "confidence": 0.95, "seed": 7, "margin": 0.005}}""");
        TrainingRun.run(JobConfig.parse(config(dir.resolve("good"), registry, "")), e -> { }, () -> false);
        TrainingRun.run(JobConfig.parse(config(dir.resolve("worse"), registry, ", \"maxSteps\": 30")), e -> { }, () -> false);
        // version 3: the good model registered again, byte for byte (a re-run of the same job)
        Bundle good = lc.registry().load(MODEL, "1");
        Manifest m = good.manifest();
        Manifest draft = new Manifest(m.formatVersion(), null, 0, m.family(), null, m.vocabularies(), m.components(), null,
                m.metrics(), m.dataFingerprint(), m.trainingConfig());
        Map<String, FileContent> files = new LinkedHashMap<>();
        for (String f : m.files().keySet()) {
            if (!f.equals(Lineage.FILE_NAME)) {
                files.put(f, FileContent.of(good.readFile(f)));
            }
        }
        assertEquals(3, lc.register(MODEL, draft, files, "test", "abc").version());
    }

    static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    CliRun promote(String candidate) {
        return cli("promote", "--registry", registry.toString(), "--model", MODEL, "--candidate", candidate,
                "--gate", gate.toString(), "--actor", "ci-job-42");
    }

    int production() {
        return lc.alias(MODEL, ModelLifecycle.PRODUCTION).orElse(-1);
    }

    @Test
    @Order(1)
    void malformedGateAndUnknownVersionAreClearErrorsThatWriteNothing() throws Exception {
        Path bad = dir.resolve("bad-gate.json");
        Files.writeString(bad, "{\"metrics\": {\"per\": {\"max\": 0.3, \"maxRelativeIncrese\": 0.02}}}");
        CliRun r = cli("promote", "--registry", registry.toString(), "--model", MODEL, "--candidate", "1", "--gate", bad.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("metrics.per.maxRelativeIncrese"), r.err());
        CliRun v = promote("17");
        assertEquals(1, v.exit());
        assertTrue(v.err().contains("has no version 17"), v.err());
        CliRun m = cli("promote", "--registry", registry.toString(), "--model", "nope", "--gate", gate.toString());
        assertEquals(1, m.exit());
        assertTrue(lc.decisions(MODEL).isEmpty());
        assertEquals(-1, production());
    }

    @Test
    @Order(2)
    void firstCandidateIsPromotedOnTheAbsoluteThresholds() {
        CliRun r = promote("1");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(1, production());
        assertTrue(r.out().contains("PROMOTED " + MODEL + "/1"), r.out());
        DecisionRecord d = lc.decisions(MODEL).get(0);
        assertEquals(DecisionRecord.PROMOTED, d.decision());
        assertEquals("ci-job-42", d.actor());
        assertEquals(List.of("g2p.per.max", "g2p.wer.max"), d.checks().stream().map(c -> c.name()).sorted().toList());
        assertTrue(d.productionMetrics() == null && d.bootstrap().isEmpty());
    }

    @Test
    @Order(3)
    void worseCandidateIsRefusedAndProductionStays() throws Exception {
        CliRun r = promote("2");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertEquals(1, production());
        assertTrue(r.out().contains("REFUSED"), r.out());
        DecisionRecord d = lc.decisions(MODEL).get(1);
        assertEquals(DecisionRecord.REFUSED, d.decision());
        assertEquals(2, d.candidateVersion());
        assertEquals(1, d.productionVersion());
        double candPer = (double) d.candidateMetrics().get("g2p").get("per");
        double prodPer = (double) d.productionMetrics().get("g2p").get("per");
        assertTrue(candPer > prodPer, candPer + " vs " + prodPer);
        assertTrue(d.bootstrap().get("g2p").upper() > 0.005);
        assertFalse(d.checks().stream().filter(c -> c.name().equals("g2p.per.bootstrapUpper")).findFirst().orElseThrow().passed());
        // the record on disk holds the inputs: the frozen split and the gate
        JsonNode json = new ObjectMapper().readTree(lc.decisionFile(MODEL, d.id()).toFile());
        assertEquals(lc.lineage(MODEL, 2).dataFingerprint().get("split"), json.at("/inputs/testSplit/fingerprint").asText());
        assertEquals(120, json.at("/inputs/testSplit/words").asInt());
        assertEquals(0.005, json.at("/inputs/gate/bootstrap/margin").asDouble());
        assertEquals("onnxruntime", json.at("/inputs/evaluation/engine").asText());
    }

    @Test
    @Order(4)
    void anEqualCandidatePassesThenRollbackReturnsToThePreviousProduction() {
        CliRun r = promote("3");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(3, production());
        DecisionRecord d = lc.decisions(MODEL).get(2);
        assertEquals(0.0, d.bootstrap().get("g2p").upper());
        assertTrue(d.checks().stream().allMatch(c -> c.passed()));

        assertEquals(1, cli("promote", "--registry", registry.toString(), "--model", MODEL, "--candidate", "3",
                "--gate", gate.toString()).exit(), "promoting the production version is an error");

        CliRun rb = cli("rollback", "--registry", registry.toString(), "--model", MODEL, "--actor", "oncall", "--reason", "test");
        assertEquals(0, rb.exit(), rb.err());
        assertEquals(1, production());
        assertEquals(1, cli("rollback", "--registry", registry.toString(), "--model", MODEL).exit());

        List<String> events = lc.events().readAfter(0).stream().map(e -> e.type() + ":" + e.version()).toList();
        assertEquals(List.of("ModelRegistered:1", "ModelRegistered:2", "ModelRegistered:3", "ModelPromoted:1",
                "ModelPromoted:3", "ModelRolledBack:1"), events);
        LifecycleEvent last = lc.events().readAfter(0).get(5);
        assertEquals("oncall", last.actor());
        assertEquals(3, last.previousVersion());
        assertNotNull(last.reason());
        assertTrue(Files.isRegularFile(lc.decisionFile(MODEL, last.reason())), "event reason is the decision id");
    }

    @Test
    @Order(5)
    void gcDryRunThenGcKeepProductionAndLatest() {
        CliRun dry = cli("gc", "--registry", registry.toString(), "--model", MODEL, "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().contains("would delete " + MODEL + "/2"), dry.out());
        assertEquals(List.of(1, 2, 3), lc.registry().listVersions(MODEL));
        assertEquals(0, cli("gc", "--registry", registry.toString(), "--model", MODEL).exit());
        assertEquals(List.of(1, 3), lc.registry().listVersions(MODEL));
        CliRun lineage = cli("lineage", "--registry", registry.toString(), "--model", MODEL, "--version", "production");
        assertTrue(lineage.out().contains("\"sourceCommit\"") && lineage.out().contains("\"jobConfig\""), lineage.out());
    }

    /**
     * A candidate whose lineage records another test-split fingerprint than its data reproduces now (the data changed
     * under it): the gate refuses to decide on a different test set, the CLI fails saying so, and nothing is written
     * (no decision, production unchanged).
     */
    @Test
    @Order(6)
    void aCandidateWhoseSplitFingerprintDoesNotMatchIsNotDecidedOn() throws Exception {
        int productionBefore = production();
        Bundle good = lc.registry().load(MODEL, Integer.toString(productionBefore));
        Manifest m = good.manifest();
        Map<String, String> fingerprint = new LinkedHashMap<>(m.dataFingerprint());
        String recorded = "0".repeat(fingerprint.get("split").length());
        fingerprint.put("split", recorded);
        Manifest draft = new Manifest(m.formatVersion(), null, 0, m.family(), null, m.vocabularies(), m.components(), null,
                m.metrics(), fingerprint, m.trainingConfig());
        Map<String, FileContent> files = new LinkedHashMap<>();
        for (String f : m.files().keySet()) {
            if (!f.equals(Lineage.FILE_NAME)) {
                files.put(f, FileContent.of(good.readFile(f)));
            }
        }
        int candidate = lc.register(MODEL, draft, files, "test", "abc").version();
        assertEquals(recorded, lc.lineage(MODEL, candidate).dataFingerprint().get("split"));
        int decisionsBefore = lc.decisions(MODEL).size();

        CliRun r = promote(Integer.toString(candidate));
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("no longer reproduces the candidate's test split") && r.err().contains(recorded), r.err());
        assertEquals(productionBefore, production(), "production unchanged");
        assertEquals(decisionsBefore, lc.decisions(MODEL).size(), "no decision recorded");
    }
}
