package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.GetModelHistoryRequest;
import io.crossmodal.proto.trainer.v1.ModelHistory;
import io.crossmodal.proto.trainer.v1.PromoteRequest;
import io.crossmodal.proto.trainer.v1.PromoteResponse;
import io.crossmodal.proto.trainer.v1.RollbackRequest;
import io.crossmodal.proto.trainer.v1.RollbackResponse;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ListModelsRequest;
import io.crossmodal.proto.trainer.v1.ListModelsResponse;
import io.crossmodal.proto.trainer.v1.ListVersionsRequest;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Trainer API over a real gRPC server: a tiny job runs to an exported bundle, bad calls get clear statuses. */
@QuarkusTest
class TrainerGrpcServiceTest {
    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    TrainerGrpc.TrainerBlockingStub trainer;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        trainer = TrainerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The test profile's data directory (crossmodal.trainer.data-dirs): the only place lexicon paths may name. */
    static Path dataDir() throws IOException {
        return Files.createDirectories(dataDirPath());
    }

    static Path dataDirPath() {
        return Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("crossmodal.trainer.data-dirs", String.class));
    }

    /** A made-up lexicon with a regular spelling -> sound mapping, so a tiny model can learn it. */
    static Path lexicon() throws IOException {
        String[] letters = {"b", "d", "k", "m", "s", "t", "a", "e", "o"};
        String[] sounds = {"B", "D", "K", "M", "S", "T", "AE1", "EH1", "OW1"};
        Random rnd = new Random(3);
        List<String> lines = new ArrayList<>(List.of(";;; synthetic lexicon for the API test"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (lines.size() < 400) {
            int len = 2 + rnd.nextInt(4);
            StringBuilder w = new StringBuilder();
            List<String> p = new ArrayList<>();
            for (int i = 0; i < len; i++) {
                int k = rnd.nextInt(letters.length);
                w.append(letters[k]);
                p.add(sounds[k]);
            }
            if (seen.add(w.toString())) {
                lines.add(w.toString().toUpperCase() + "  " + String.join(" ", p));
            }
        }
        Path f = Files.createTempFile(dataDir(), "lexicon", ".txt");
        Files.write(f, lines);
        return f;
    }

    @Test
    void jobRunsToAnExportedBundleAndStreamsProgress() throws Exception {
        JobConfig cfg = JobConfig.newBuilder()
                .setRequestId("r1")
                .setModelName("api-test")
                .setData(DataConfig.newBuilder().setLexiconPath(lexicon().toString()))
                .setSplit(SplitConfig.newBuilder().setDev(30).setTest(40))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(8).setEncoderHiddenSize(12)
                        .setDecoderHiddenSize(16).setPriorHiddenSize(16).setPriorEmbeddingSize(8).setEpochs(2).setBatchSize(32))
                .addComponents(Component.COMPONENT_G2P).addComponents(Component.COMPONENT_PRIOR)
                .setExport(true)
                .build();
        Job job = trainer.startJob(cfg);
        assertEquals("r1", job.getRequestId());
        assertFalse(job.getJobId().isEmpty());

        List<ProgressEvent> events = new ArrayList<>();
        Iterator<ProgressEvent> it = trainer.withDeadlineAfter(5, TimeUnit.MINUTES)
                .streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build());
        it.forEachRemaining(events::add);
        ProgressEvent last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState(), () -> "last event " + last);
        assertTrue(events.stream().anyMatch(e -> e.getPhase().equals("train") && e.getLossesMap().containsKey("g2p.nll")));
        assertTrue(events.stream().anyMatch(e -> e.getPhase().equals("eval") && e.getDevMetricsMap().containsKey("g2p.per")));
        assertTrue(events.stream().anyMatch(e -> e.getComponent().equals("prior")));

        Job done = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
        assertEquals("api-test", done.getExported().getName());
        assertTrue(done.getExported().getMetricsMap().containsKey("g2p.test.per"));

        ListModelsResponse models = trainer.listModels(ListModelsRequest.getDefaultInstance());
        assertTrue(models.getModelsList().stream().anyMatch(m -> m.getName().equals("api-test")));
        assertTrue(trainer.listVersions(ListVersionsRequest.newBuilder().setModelName("api-test").build())
                .getVersionsList().stream().anyMatch(v -> v.getVersion().equals(done.getExported().getVersion())
                        && v.getMetricsMap().containsKey("g2p.test.wer")));
    }

    @Test
    void badRequestsGetClearStatuses() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(JobConfig.newBuilder().build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("model_name"));

        e = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(JobConfig.newBuilder().setModelName("x")
                .setHyperparameters(Hyperparameters.newBuilder().setLearningRate(5)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("learningRate"), e.getStatus().getDescription());

        e = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(JobConfig.newBuilder().setModelName("x")
                .setData(DataConfig.newBuilder().setLexiconPath("/no/such/file")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

        e = assertThrows(StatusRuntimeException.class, () -> trainer.getJob(JobRef.newBuilder().setJobId("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());

        e = assertThrows(StatusRuntimeException.class, () -> trainer.listVersions(
                ListVersionsRequest.newBuilder().setModelName("no-such-model").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    /** A call that must fail with FAILED_PRECONDITION (an idempotency key reused for another request). */
    private static void e0(org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("idempotency_key"), e.getStatus().getDescription());
    }

    /** Promote, refuse-by-precondition, rollback and history over gRPC, on a model the API itself trained. */
    @Test
    void promoteRollbackAndHistory() throws Exception {
        String model = "api-lc-" + System.currentTimeMillis();
        JobConfig cfg = JobConfig.newBuilder()
                .setModelName(model)
                .setData(DataConfig.newBuilder().setLexiconPath(lexicon().toString()))
                .setSplit(SplitConfig.newBuilder().setDev(30).setTest(40))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(8).setEncoderHiddenSize(12)
                        .setDecoderHiddenSize(16).setEpochs(2).setBatchSize(32).setThreads(1))
                .addComponents(Component.COMPONENT_G2P)
                .setExport(true)
                .build();
        Job job = trainer.startJob(cfg);
        trainer.withDeadlineAfter(5, TimeUnit.MINUTES).streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build())
                .forEachRemaining(e -> { });
        assertEquals(JobState.JOB_STATE_SUCCEEDED, trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build()).getState());

        String gate = "{\"metrics\": {\"per\": {\"max\": 10, \"maxRelativeIncrease\": 0.02}},"
                + " \"bootstrap\": {\"samples\": 200, \"seed\": 1, \"margin\": 0.001}}";
        PromoteRequest promoteOnce = PromoteRequest.newBuilder().setRequestId("p1").setModelName(model)
                .setGateJson(gate).setActor("ci-7").setIdempotencyKey("promote-" + model).build();
        PromoteResponse first = trainer.promote(promoteOnce);
        // a retry with the same key returns the first decision and decides nothing new
        PromoteResponse replay = trainer.promote(promoteOnce.toBuilder().setRequestId("p1-retry").build());
        assertEquals(first.getDecision().getId(), replay.getDecision().getId());
        assertEquals("p1-retry", replay.getRequestId());
        e0(() -> trainer.promote(promoteOnce.toBuilder().setActor("someone-else").build()));
        assertTrue(first.getPromoted(), first.toString());
        assertEquals("p1", first.getRequestId());
        assertEquals("1", first.getDecision().getCandidateVersion());
        assertEquals("trainer-api:ci-7", first.getDecision().getActor());
        assertTrue(first.getDecision().getRecordJson().contains("\"testSplit\""));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.promote(
                PromoteRequest.newBuilder().setModelName(model).setGateJson(gate).setCandidate("1").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("already production"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> trainer.promote(PromoteRequest.newBuilder().setModelName(model)
                .setGateJson("{\"metrics\": {\"per\": {\"max\": true}}}").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("metrics.per.max"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> trainer.promote(PromoteRequest.newBuilder().setModelName("no-such-model")
                .setGateJson(gate).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        e = assertThrows(StatusRuntimeException.class, () -> trainer.rollback(RollbackRequest.newBuilder().setModelName(model).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());

        // version 2: the same bundle registered again (identical weights -> the gate passes with a zero difference)
        Path registry = Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("crossmodal.registry.dir", String.class));
        ModelLifecycle lc = new ModelLifecycle(registry);
        io.crossmodal.runtime.bundle.Bundle v1 = lc.registry().load(model, "1");
        io.crossmodal.runtime.bundle.Manifest m = v1.manifest();
        java.util.Map<String, io.crossmodal.runtime.bundle.FileContent> files = new java.util.LinkedHashMap<>();
        m.files().keySet().stream().filter(f -> !f.equals("lineage.json"))
                .forEach(f -> files.put(f, io.crossmodal.runtime.bundle.FileContent.of(v1.readFile(f))));
        lc.register(model, new io.crossmodal.runtime.bundle.Manifest(m.formatVersion(), null, 0, m.family(), null, m.vocabularies(),
                m.components(), null, m.metrics(), m.dataFingerprint(), m.trainingConfig()), files, "test", "abc");
        PromoteResponse second = trainer.promote(PromoteRequest.newBuilder().setModelName(model).setGateJson(gate).build());
        assertTrue(second.getPromoted(), second.getDecision().getSummary());
        assertEquals(0.0, second.getDecision().getBootstrapOrThrow("g2p").getUpper());
        assertEquals(3, second.getDecision().getChecksCount()); // per: max, relative increase, bootstrap bound

        // a client whose call timed out retries with the same key: production moves back once, not twice
        RollbackRequest rollbackOnce = RollbackRequest.newBuilder().setModelName(model).setReason("canary errors")
                .setIdempotencyKey("rollback-" + model).build();
        // (on a connection of its own: a stream cancelled this early can make the Vert.x server reject a later stream
        // of the same connection with a GOAWAY, which is not what this test is about)
        ManagedChannel timingOut = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        try {
            TrainerGrpc.newBlockingStub(timingOut).withDeadlineAfter(1, TimeUnit.MILLISECONDS).rollback(rollbackOnce);
        } catch (StatusRuntimeException timedOut) {
            assertEquals(Status.Code.DEADLINE_EXCEEDED, timedOut.getStatus().getCode());
        } finally {
            timingOut.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        RollbackResponse rb = trainer.rollback(rollbackOnce);
        assertEquals(rb.getDecision().getId(), trainer.rollback(rollbackOnce).getDecision().getId());
        assertEquals("rolled-back", rb.getDecision().getDecision());
        assertEquals("1", rb.getDecision().getCandidateVersion());
        assertEquals("2", rb.getDecision().getProductionVersion());

        ModelHistory h = trainer.getModelHistory(GetModelHistoryRequest.newBuilder().setModelName(model).build());
        assertEquals("1", h.getAliasesOrThrow("production"));
        assertEquals("2", h.getAliasesOrThrow("candidate"));
        assertEquals(2, h.getVersionsCount());
        assertFalse(h.getVersions(0).getJobConfigJson().isEmpty());
        assertTrue(h.getVersions(0).getMetricsMap().containsKey("g2p.test.per"));
        assertEquals(3, h.getDecisionsCount());
        assertEquals(List.of("register", "promote", "register", "promote", "rollback"),
                h.getAliasHistoryList().stream().map(io.crossmodal.proto.trainer.v1.AliasChange::getAction).toList());
        e = assertThrows(StatusRuntimeException.class, () -> trainer.getModelHistory(
                GetModelHistoryRequest.newBuilder().setModelName("no-such-model").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }
}
