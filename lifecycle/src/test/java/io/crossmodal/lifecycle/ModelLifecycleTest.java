package io.crossmodal.lifecycle;

import io.crossmodal.lifecycle.gate.GateCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.GraphSpec;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLifecycleTest {

    @TempDir
    Path root;

    static Manifest draft(double per) {
        GraphSpec enc = new GraphSpec("g2p.encoder.onnx", List.of(), List.of());
        GraphSpec dec = new GraphSpec("g2p.decoder_step.onnx", List.of(), List.of());
        return Manifest.builder("seq2seq")
                .vocabulary("graphemes", List.of("<pad>", "<s>", "</s>", "<unk>", "a"))
                .vocabulary("phonemes", List.of("<pad>", "<s>", "</s>", "<unk>", "AA"))
                .component("g2p", new ComponentSpec(ComponentSpec.TYPE_SEQ2SEQ,
                        Map.of(ComponentSpec.ROLE_ENCODER, enc, ComponentSpec.ROLE_DECODER_STEP, dec), Map.of(), "graphemes", "phonemes"))
                .metric("g2p.test.per", per)
                .dataFingerprint(Map.of("split", "fp-1", "test", "h-test"))
                .trainingConfig(Map.of("name", "m", "seed", 1))
                .build();
    }

    static Map<String, FileContent> files(String tag) {
        Map<String, FileContent> f = new LinkedHashMap<>();
        f.put("g2p.encoder.onnx", FileContent.of(("enc-" + tag).getBytes(StandardCharsets.UTF_8)));
        f.put("g2p.decoder_step.onnx", FileContent.of(("dec-" + tag).getBytes(StandardCharsets.UTF_8)));
        return f;
    }

    Bundle register(ModelLifecycle lc, String tag) {
        return lc.register("m", draft(0.1), files(tag), "trainer-test", "abc123");
    }

    static DecisionRecord promotion(String model, int candidate, Integer production, boolean promoted) {
        Instant now = Instant.now();
        return new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.PROMOTE, candidate),
                DecisionRecord.PROMOTE, promoted ? DecisionRecord.PROMOTED : DecisionRecord.REFUSED, model,
                ModelLifecycle.PRODUCTION, candidate, production, "ci-job-7", now.toString(), Map.of("gate", "test"),
                Map.of(), null, null, List.of(new GateCheck("g2p.per.max", promoted, 0.1, 0.5, "x")), "s");
    }

    @Test
    void registrationWritesLineageMovesCandidateAndAppendsAnEvent() {
        ModelLifecycle lc = new ModelLifecycle(root);
        Bundle b1 = register(lc, "1");
        Bundle b2 = register(lc, "2");
        assertEquals(2, b2.version());
        Lineage l = lc.lineage("m", 1);
        assertEquals(1, l.version());
        assertEquals("abc123", l.sourceCommit());
        assertEquals("trainer-test", l.registeredBy());
        assertEquals("fp-1", l.dataFingerprint().get("split"));
        assertEquals(0.1, l.metrics().get("g2p.test.per"));
        assertEquals(1, l.jobConfig().get("seed"));
        assertEquals(b1.manifest().createdAt(), l.createdAt());
        assertFalse(l.derived());
        assertTrue(b1.manifest().files().containsKey(Lineage.FILE_NAME), "lineage is a checksummed bundle file");

        assertEquals(2, lc.alias("m", ModelLifecycle.CANDIDATE).orElseThrow());
        List<LifecycleEvent> ev = lc.events().readAfter(0);
        assertEquals(2, ev.size());
        assertEquals(LifecycleEvent.REGISTERED, ev.get(0).type());
        assertEquals(1, ev.get(0).version());
        assertEquals(l.registrationEventId(), ev.get(0).eventId());
        assertEquals("trainer-test", ev.get(0).actor());
        assertEquals(List.of(1, 2), lc.aliasHistory("m").stream().map(AliasChange::version).toList());
        assertEquals(Set.of("m"), Set.copyOf(lc.registry().listModels()));
    }

    @Test
    void promotionRefusalAndRollbackKeepAliasHistoryDecisionsAndEventsConsistent() throws Exception {
        ModelLifecycle lc = new ModelLifecycle(root);
        for (int i = 1; i <= 4; i++) {
            register(lc, Integer.toString(i));
        }
        lc.commitPromotion(promotion("m", 1, null, true));
        lc.commitPromotion(promotion("m", 2, 1, true));
        DecisionRecord refused = lc.commitPromotion(promotion("m", 3, 2, false));
        assertEquals(2, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow(), "a refusal leaves production alone");
        assertTrue(Files.isRegularFile(lc.decisionFile("m", refused.id())), "a refusal is recorded too");
        lc.commitPromotion(promotion("m", 4, 2, true));
        assertEquals(4, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow());

        // stale expectation: production moved since the evaluation -> nothing written
        int before = lc.decisions("m").size();
        assertThrows(LifecycleConflictException.class, () -> lc.commitPromotion(promotion("m", 3, 2, true)));
        assertEquals(before, lc.decisions("m").size());

        assertEquals(2, lc.rollbackTarget("m"));
        DecisionRecord rb = lc.rollback("m", "oncall", "latency regression");
        assertEquals(DecisionRecord.ROLLED_BACK, rb.decision());
        assertEquals(2, rb.candidateVersion());
        assertEquals(4, rb.productionVersion());
        assertEquals(2, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow());
        lc.rollback("m", "oncall", null); // the stack walks further back
        assertEquals(1, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow());
        LifecycleConflictException none = assertThrows(LifecycleConflictException.class, () -> lc.rollback("m", "oncall", null));
        assertTrue(none.getMessage().contains("no earlier production version"), none.getMessage());

        List<LifecycleEvent> prodEvents = lc.events().readAfter(0).stream()
                .filter(e -> !e.type().equals(LifecycleEvent.REGISTERED)).toList();
        assertEquals(List.of("ModelPromoted:1:null", "ModelPromoted:2:1", "ModelPromoted:4:2", "ModelRolledBack:2:4",
                        "ModelRolledBack:1:2"),
                prodEvents.stream().map(e -> e.type() + ":" + e.version() + ":" + e.previousVersion()).toList());
        assertEquals(rb.id(), prodEvents.get(3).reason(), "event reason = decision id");
        assertEquals("oncall", prodEvents.get(3).actor());
        assertEquals(6, lc.decisions("m").size());
        List<AliasChange> prodHistory = lc.aliasHistory("m").stream().filter(c -> c.alias().equals("production")).toList();
        assertEquals(List.of(1, 2, 4, 2, 1), prodHistory.stream().map(AliasChange::version).toList());
        for (AliasChange c : prodHistory) {
            assertTrue(Files.isRegularFile(lc.decisionFile("m", c.decisionId())), c.toString());
        }
    }

    @Test
    void badInputIsAClearErrorAndWritesNothing() {
        ModelLifecycle lc = new ModelLifecycle(root);
        register(lc, "1");
        assertThrows(ModelNotFoundException.class, () -> lc.commitPromotion(promotion("nope", 1, null, true)));
        assertThrows(ModelNotFoundException.class, () -> lc.commitPromotion(promotion("../x", 1, null, true)));
        assertThrows(ModelNotFoundException.class, () -> lc.commitPromotion(promotion("m", 9, null, true)));
        assertThrows(LifecycleConflictException.class, () -> lc.rollback("m", "a", null));
        assertThrows(ModelNotFoundException.class, () -> lc.rollback("nope", "a", null));
        assertFalse(Files.exists(root.resolve("nope")));
        assertTrue(lc.decisions("m").isEmpty());
        assertTrue(lc.alias("m", ModelLifecycle.PRODUCTION).isEmpty());
    }

    @Test
    void gcKeepsAliasesRollbackTargetsAndTheLatest() throws Exception {
        ModelLifecycle lc = new ModelLifecycle(root);
        for (int i = 1; i <= 7; i++) {
            register(lc, Integer.toString(i));
        }
        lc.commitPromotion(promotion("m", 2, null, true));
        lc.commitPromotion(promotion("m", 4, 2, true));
        lc.commitPromotion(promotion("m", 5, 4, true));
        lc.rollback("m", "a", null); // production 4; stack [2, 4]
        // candidate = 7 (latest), production = 4, rollback target = 2; 1, 3, 5, 6 are unreferenced
        GcReport dry = lc.gc("m", 1, false, true);
        assertEquals(List.of(1, 3, 5, 6), dry.deleted());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), lc.registry().listVersions("m"), "dry run deletes nothing");
        assertEquals(List.of("rollback-target"), dry.kept().get(2));
        assertTrue(dry.kept().get(7).containsAll(List.of("latest", "alias:candidate")));

        GcReport keep3 = lc.gc("m", 3, false, true);
        assertEquals(List.of(1, 3), keep3.deleted());

        GcReport real = lc.gc("m", 1, false, false);
        assertEquals(List.of(1, 3, 5, 6), real.deleted());
        assertEquals(List.of(2, 4, 7), lc.registry().listVersions("m"));
        assertEquals(2, lc.rollbackTarget("m"));

        assertEquals(List.of(2), lc.gc("m", 1, true, true).deleted(), "told to, it prunes rollback targets too");

        // leftovers of crashed writers: a stale staging directory goes, a fresh one (a write in progress) stays
        Path stale = Files.createDirectories(root.resolve("m/.staging-dead/x"));
        Files.setLastModifiedTime(stale.getParent(), java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(7200)));
        Path fresh = Files.createDirectories(root.resolve("m/.staging-busy"));
        Files.createDirectories(root.resolve("m/.gc-3-abc"));
        GcReport sweep = lc.gc("m", 1, false, false);
        assertEquals(List.of(".gc-3-abc", ".staging-dead"), sweep.leftovers());
        assertFalse(Files.exists(stale.getParent()));
        assertTrue(Files.exists(fresh));
        assertThrows(IllegalArgumentException.class, () -> lc.gc("m", 0, false, true));
        // the next version number is never reused
        assertEquals(8, register(lc, "8").version());
    }

    @Test
    void concurrentRegistrationsGetDistinctVersionsAndEvents() throws Exception {
        ModelLifecycle lc = new ModelLifecycle(root);
        int threads = 8;
        int each = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Integer>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit((Callable<List<Integer>>) () -> {
                start.await();
                List<Integer> got = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    // separate instances, as separate processes would have
                    got.add(new ModelLifecycle(root).register("m", draft(0.1), files(id + "-" + i), "w" + id, "c").version());
                }
                return got;
            }));
        }
        start.countDown();
        Set<Integer> versions = new HashSet<>();
        for (Future<List<Integer>> f : futures) {
            versions.addAll(f.get());
        }
        pool.shutdown();
        int n = threads * each;
        assertEquals(n, versions.size(), "every registration got its own version");
        assertEquals(IntStream.rangeClosed(1, n).boxed().toList(), lc.registry().listVersions("m"));
        for (int v = 1; v <= n; v++) {
            Bundle b = lc.registry().load("m", Integer.toString(v)); // every bundle intact, manifest matches its directory
            assertEquals(v, b.version());
        }
        List<LifecycleEvent> ev = lc.events().readAfter(0);
        assertEquals(n, ev.size());
        assertEquals(n, ev.stream().map(LifecycleEvent::version).distinct().count());
        assertEquals(n, lc.alias("m", ModelLifecycle.CANDIDATE).orElseThrow(), "candidate ends at the newest version");
        try (var s = Files.list(root.resolve("m"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".staging")), "no staging leftovers");
        }
    }

    @Test
    void anInterruptedPromotionIsCompletedByTheNextOperation() throws Exception {
        ModelLifecycle lc = new ModelLifecycle(root);
        register(lc, "1");
        register(lc, "2");
        lc.commitPromotion(promotion("m", 1, null, true));
        lc.commitPromotion(promotion("m", 2, 1, true));
        // simulate a crash after the history entry (intent) but before the alias move and the event
        LifecycleEvent last = lc.events().readAfter(0).get(lc.events().readAfter(0).size() - 1);
        Files.delete(lc.events().dir().resolve(String.format("%012d.json", last.sequence())));
        lc.registry().setAlias("m", ModelLifecycle.PRODUCTION, 1);

        lc.recover("m");
        assertEquals(2, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow());
        LifecycleEvent again = lc.events().readAfter(0).get(lc.events().readAfter(0).size() - 1);
        assertEquals(last.eventId(), again.eventId(), "the event keeps its id, so consumers can de-duplicate");
        assertEquals(LifecycleEvent.PROMOTED, again.type());
        long count = lc.events().readAfter(0).size();
        lc.recover("m");
        assertEquals(count, lc.events().readAfter(0).size(), "recovery is idempotent");
    }

    @Test
    void decisionsWithInfiniteRelativeChangeRoundTrip() {
        ModelLifecycle lc = new ModelLifecycle(root);
        register(lc, "1");
        Instant now = Instant.now();
        DecisionRecord d = new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.PROMOTE, 1),
                DecisionRecord.PROMOTE, DecisionRecord.REFUSED, "m", ModelLifecycle.PRODUCTION, 1, null, "a", now.toString(),
                Map.of(), Map.of("g2p", Map.of("per", 0.1)), null, null,
                List.of(new GateCheck("g2p.per.relativeIncrease", false, Double.POSITIVE_INFINITY, 0.02, "production PER 0")),
                "s");
        lc.commitPromotion(d);
        DecisionRecord back = lc.decisions("m").get(0);
        assertEquals(Double.POSITIVE_INFINITY, back.checks().get(0).value());
        assertEquals(d.id(), back.id());
        assertEquals(0.1, back.candidateMetrics().get("g2p").get("per"));
    }

    @Test
    void bundlesWithoutLineageGetOneDerivedFromTheManifest() {
        ModelLifecycle lc = new ModelLifecycle(root);
        new io.crossmodal.runtime.bundle.BundleWriter(root).write("old", draft(0.2), files("o"));
        Lineage l = lc.lineage("old", 1);
        assertTrue(l.derived());
        assertEquals(Provenance.UNKNOWN, l.sourceCommit());
        assertEquals(0.2, l.metrics().get("g2p.test.per"));
        assertNull(l.registrationEventId());
    }
}
