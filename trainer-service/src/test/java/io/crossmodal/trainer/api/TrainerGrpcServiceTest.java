package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.trainer.v1.Component;
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
        Path f = Files.createTempFile("lexicon", ".txt");
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
}
