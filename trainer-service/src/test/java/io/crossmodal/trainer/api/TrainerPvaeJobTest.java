package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.trainer.family.pvae.PvaeTinyData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PVAE job through the Trainer API (StartJob, a job JVM of its own): {@code family_name} and
 * {@code family_config_json} carry the family and its section, the job runs to an exported bundle with
 * the PVAE's test metrics; a path outside the data directories, an oversized hidden layer, an unknown
 * family and a section for a family without one are INVALID_ARGUMENT naming the field.
 */
@QuarkusTest
class TrainerPvaeJobTest {
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

    static String section(Path speech, Path mnist, String extra) {
        return """
                {"speechDir": "%s", "mnistPath": "%s", "frames": 8, "hidden": 32, "sharedDim": 6, "styleDim": 2,
                 "epochs": 3, "batchSize": 20, "threads": 1 %s}""".formatted(speech, mnist, extra);
    }

    @Test
    void pvaeJobRunsToAnExportedBundle() throws Exception {
        Path data = Files.createTempDirectory(Files.createDirectories(TrainerGrpcServiceTest.dataDirPath()), "pvae");
        Path speech = PvaeTinyData.speech(data.resolve("fsdd"), 1, 7);
        Path mnist = PvaeTinyData.images(data.resolve("mnist.tgz"), 10);
        JobConfig cfg = JobConfig.newBuilder().setModelName("api-pvae").setFamilyName("pvae")
                .setFamilyConfigJson(section(speech, mnist, "")).build();
        Job job = trainer.startJob(cfg);
        assertEquals("pvae", job.getConfig().getFamilyName());
        assertTrue(job.getConfig().getFamilyConfigJson().contains("\"hidden\" : 32"), job.getConfig().getFamilyConfigJson());

        List<ProgressEvent> events = new ArrayList<>();
        Iterator<ProgressEvent> it = trainer.withDeadlineAfter(5, TimeUnit.MINUTES)
                .streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build());
        it.forEachRemaining(events::add);
        ProgressEvent last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState(), () -> "last event " + last);
        assertTrue(events.stream().anyMatch(e -> e.getPhase().equals("train") && e.getLossesMap().containsKey("pvae.loss")));
        Job done = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
        assertEquals("pvae", done.getExported().getFamily());
        assertTrue(done.getExported().getMetricsMap().containsKey("pvae.test.crossmodal_accuracy"), done.getExported().toString());
        assertTrue(done.getExported().getMetricsMap().containsKey("pvae.test.image_shared_purity"));
    }

    @Test
    void badFamilySettingsAreInvalidArgumentsNamingTheField() throws Exception {
        Path data = Files.createDirectories(TrainerGrpcServiceTest.dataDirPath());
        Path outside = Files.createTempDirectory("pvae-outside");
        StatusRuntimeException e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyName("pvae")
                .setFamilyConfigJson(section(outside, data.resolve("none.tgz"), "")));
        assertTrue(e.getStatus().getDescription().contains("family_config_json.speechDir"), e.getStatus().getDescription());
        e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyName("pvae").setFamilyConfigJson("{\"hidden\": 100000}"));
        assertTrue(e.getStatus().getDescription().contains("family_config_json.hidden"), e.getStatus().getDescription());
        e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyName("pvae").setFamilyConfigJson("{\"hiden\": 10}"));
        assertTrue(e.getStatus().getDescription().contains("hiden"), e.getStatus().getDescription());
        e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyName("nosuch"));
        assertTrue(e.getStatus().getDescription().contains("family_name"), e.getStatus().getDescription());
        e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyConfigJson("{\"epochs\": 2}"));
        assertTrue(e.getStatus().getDescription().contains("family_config_json"), e.getStatus().getDescription());
        e = invalid(JobConfig.newBuilder().setModelName("x").setFamilyName("pvae").setFamilyConfigJson("x".repeat(70_000)));
        assertTrue(e.getStatus().getDescription().contains("65536"), e.getStatus().getDescription());
    }

    private StatusRuntimeException invalid(JobConfig.Builder request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> trainer.startJob(request.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        return e;
    }
}
