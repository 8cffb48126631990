package io.crossmodal.trainer.api;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.GetModelHistoryRequest;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.crossmodal.proto.trainer.v1.ListVersionsRequest;
import io.crossmodal.proto.trainer.v1.ModelHistory;
import io.crossmodal.proto.trainer.v1.PromoteRequest;
import io.crossmodal.proto.trainer.v1.RollbackRequest;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.serving.common.testing.HostileTraffic;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The Trainer API's input bounds over real gRPC, none of which needs a job to run: numeric limits and the
 * memory estimate, lexicon paths confined to the data directories, caller strings, unreadable requests, and
 * stored records that must not break a read. Each case was accepted (or answered INTERNAL) before the bounds.
 */
@QuarkusTest
class TrainerApiBoundsTest extends TrainerApiClient {
    private static JobConfig.Builder job() {
        return JobConfig.newBuilder().setModelName("bounds").setExport(false);
    }

    private void invalid(String field, JobConfig request) {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(request));
        assertTrue(e.getStatus().getDescription().contains(field), field + ": " + e.getStatus().getDescription());
    }

    @Test
    void everyNumericFieldHasAnUpperBoundNamedInTheError() {
        Map<String, UnaryOperator<Hyperparameters.Builder>> hyper = new LinkedHashMap<>();
        hyper.put("embedding_size", h -> h.setEmbeddingSize(1_000_000));
        hyper.put("prior_embedding_size", h -> h.setPriorEmbeddingSize(Integer.MAX_VALUE));
        hyper.put("encoder_hidden_size", h -> h.setEncoderHiddenSize(Integer.MAX_VALUE));
        hyper.put("decoder_hidden_size", h -> h.setDecoderHiddenSize(100_000));
        hyper.put("prior_hidden_size", h -> h.setPriorHiddenSize(100_000));
        hyper.put("max_output_length", h -> h.setMaxOutputLength(1_000_000));
        hyper.put("batch_size", h -> h.setBatchSize(1 << 20));
        hyper.put("epochs", h -> h.setEpochs(1_000_000));
        hyper.put("max_steps", h -> h.setMaxSteps(1L << 62));
        hyper.put("patience", h -> h.setPatience(1_000_000));
        hyper.put("threads", h -> h.setThreads(10_000));
        hyper.put("dev_words", h -> h.setDevWords(1_000_000_000));
        hyper.put("beam_width", h -> h.setBeamWidth(1_000_000));
        hyper.put("learning_rate", h -> h.setLearningRate(Double.NaN));
        hyper.put("clip_norm", h -> h.setClipNorm(Double.POSITIVE_INFINITY));
        hyper.forEach((field, set) -> invalid("hyperparameters." + field,
                job().setHyperparameters(set.apply(Hyperparameters.newBuilder())).build()));
        invalid("data.max_words", job().setData(DataConfig.newBuilder().setMaxWords(Integer.MAX_VALUE)).build());
        invalid("split.test", job().setSplit(SplitConfig.newBuilder().setTest(Integer.MAX_VALUE)).build());
        invalid("split.paired", job().setSplit(SplitConfig.newBuilder().setPaired(Integer.MAX_VALUE)).build());
    }

    @Test
    void aJobWhoseMemoryEstimateExceedsTheBudgetIsRefused() {
        // every size within its own limit, the product far beyond the budget
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job()
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(1024).setEncoderHiddenSize(2048)
                        .setDecoderHiddenSize(2048).setBatchSize(4096).setMaxOutputLength(200)).build()));
        assertTrue(e.getStatus().getDescription().contains("memory-budget-mib"), e.getStatus().getDescription());
        // the default sizes fit easily: the estimate is MiB, not GiB
        io.crossmodal.trainer.config.JobConfig defaults = io.crossmodal.trainer.config.JobConfig.parse("{}");
        double mib = JobMemoryEstimate.bytes(defaults) / (1024 * 1024);
        assertTrue(mib > 1 && mib < 1024, "default job estimate " + mib + " MiB");
    }

    @Test
    void lexiconPathsAreConfinedToTheDataDirectoriesAndGiveOneAnswer() throws IOException {
        Path dataDir = TrainerGrpcServiceTest.dataDir();
        Path link = dataDir.resolve("passwd-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("/etc/passwd"));
        Path dangling = dataDir.resolve("dangling-link");
        Files.deleteIfExists(dangling);
        Files.createSymbolicLink(dangling, Path.of("/etc/no-such-file-" + System.nanoTime()));
        String refused = null;
        for (String path : List.of("/etc/passwd", "/etc/no-such-file", "/etc", dataDir + "/../../../../../../etc/passwd",
                link.toString(), dangling.toString(), dataDir + "/no-such-lexicon.txt", "relative/lexicon.txt", "",
                dataDir.toString(), "/" + "x".repeat(5000), "/tmp/\u0000nul")) {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job()
                    .setData(DataConfig.newBuilder().setLexiconPath(path)).build()));
            String d = e.getStatus().getDescription();
            assertFalse(d.contains("root:"), "file content echoed: " + d);
            if (refused == null) {
                refused = d;
            }
            assertEquals(refused, d, "the answer for " + path + " differs: it tells whether the path exists");
        }
        // a file inside, but larger than the bound (a sparse file: no disk used)
        Path big = dataDir.resolve("big-lexicon.txt");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(65L * 1024 * 1024);
        }
        try {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job()
                    .setData(DataConfig.newBuilder().setLexiconPath(big.toString())).build()));
            assertTrue(e.getStatus().getDescription().contains("lexicon-max-bytes"), e.getStatus().getDescription());
        } finally {
            Files.deleteIfExists(big);
        }
    }

    @Test
    void callerStringsAreBoundedAndNeverEchoedUnbounded() {
        String huge = "r".repeat(250_000);
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job().setRequestId(huge).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job().setRequestId("a\nFAKE LOG LINE").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job().setIdempotencyKey(huge).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(job().setModelName("m".repeat(20_000)).build()));
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT,
                () -> trainer.getJob(JobRef.newBuilder().setJobId("j".repeat(20_000)).build()));
        assertTrue(e.getStatus().getDescription().length() < 300, e.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.cancelJob(JobRef.newBuilder().setJobId("x\ny").build()));
        fails(Status.Code.NOT_FOUND, () -> trainer.getJob(JobRef.newBuilder().setJobId("no-such-job").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.listJobs(ListJobsRequest.newBuilder().setRequestId(huge).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.promote(PromoteRequest.newBuilder().setModelName("m")
                .setGateJson("{}").setActor(huge).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.promote(PromoteRequest.newBuilder().setModelName("m")
                .setGateJson("{}").setActor("ci\r\nFAKE").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.rollback(RollbackRequest.newBuilder().setModelName("m")
                .setReason("x".repeat(2000)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.rollback(RollbackRequest.newBuilder().setModelName("m")
                .setActor("a\u0000b").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.getModelHistory(GetModelHistoryRequest.newBuilder()
                .setModelName("M/../x").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.listVersions(ListVersionsRequest.newBuilder()
                .setModelName("x".repeat(100_000)).build()));
    }

    @Test
    void garbageBytesToEveryMethodAreInvalidArgument() {
        byte[][] garbage = {{(byte) 0xff, (byte) 0xff, (byte) 0xff}, {0x0a, (byte) 0x85}, {0x0a, 0x02, (byte) 0xc3, 0x28}};
        for (MethodDescriptor<?, ?> m : List.of(TrainerGrpc.getStartJobMethod(), TrainerGrpc.getGetJobMethod(),
                TrainerGrpc.getListJobsMethod(), TrainerGrpc.getCancelJobMethod(), TrainerGrpc.getListModelsMethod(),
                TrainerGrpc.getListVersionsMethod(), TrainerGrpc.getPromoteMethod(), TrainerGrpc.getRollbackMethod(),
                TrainerGrpc.getGetModelHistoryMethod())) {
            MethodDescriptor<byte[], byte[]> raw = HostileTraffic.rawMethod(m);
            for (byte[] g : garbage) {
                fails(Status.Code.INVALID_ARGUMENT, () -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, g));
            }
        }
    }

    /** Records written before the bounds (here: 9 registrations by a 250 KB actor) must not break GetModelHistory. */
    @Test
    void oversizedLegacyRecordsDoNotBreakTheHistory() {
        Path registry = Path.of(ConfigProvider.getConfig().getValue("crossmodal.registry.dir", String.class));
        String model = "legacy-" + System.nanoTime();
        Bundle v1 = TinyRegistryResource.writeBundle(registry, model, List.of("g2p"), 1);
        ModelLifecycle lc = new ModelLifecycle(registry);
        Manifest m = v1.manifest();
        Map<String, FileContent> files = new LinkedHashMap<>();
        m.files().keySet().stream().filter(f -> !f.equals("lineage.json"))
                .forEach(f -> files.put(f, FileContent.of(v1.readFile(f))));
        String hugeActor = "a".repeat(250_000);
        for (int i = 0; i < 9; i++) {
            lc.register(model, new Manifest(m.formatVersion(), null, 0, m.family(), null, m.vocabularies(), m.components(),
                    null, m.metrics(), m.dataFingerprint(), m.trainingConfig()), files, hugeActor, "abc");
        }
        ModelHistory h = trainer.getModelHistory(GetModelHistoryRequest.newBuilder().setModelName(model).build());
        assertEquals(10, h.getVersionsCount());
        assertTrue(h.getSerializedSize() < 4 * 1024 * 1024, "history of " + h.getSerializedSize() + " bytes");
        assertTrue(h.getVersions(1).getRegisteredBy().length() < 1000);
        assertTrue(h.getAliasHistoryList().stream().allMatch(c -> c.getActor().length() < 1000));
        // ListVersions sets created_at (contract)
        assertTrue(trainer.listVersions(ListVersionsRequest.newBuilder().setModelName(model).build()).getVersionsList()
                .stream().allMatch(v -> v.hasCreatedAt() && v.getCreatedAt().getSeconds() > 0));
    }
}
