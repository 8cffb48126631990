package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A job that runs out of memory fails alone: it runs in its own JVM, here with a 32 MiB heap and a lexicon of
 * 300,000 words that does not fit it; the job is FAILED saying so, and the service stays healthy and answers.
 */
@QuarkusTest
@TestProfile(TrainerJobIsolationTest.SmallJobHeap.class)
class TrainerJobIsolationTest {

    public static class SmallJobHeap implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("crossmodal.trainer.job.max-heap", "32m");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void aJobOutOfMemoryFailsAloneAndTheServiceStaysUp() throws Exception {
        Path lexicon = TrainerGrpcServiceTest.dataDir().resolve("large-lexicon-" + System.nanoTime() + ".txt");
        Random r = new Random(1);
        try (BufferedWriter w = Files.newBufferedWriter(lexicon)) {
            String letters = "abcdefghijklmnopqrstuvwxyz";
            for (int i = 0; i < 300_000; i++) {
                StringBuilder word = new StringBuilder();
                StringBuilder phones = new StringBuilder();
                for (int k = 0; k < 8; k++) {
                    char c = letters.charAt(r.nextInt(26));
                    word.append(c);
                    phones.append(k == 0 ? "" : " ").append(Character.toUpperCase(c)).append("H");
                }
                w.write(word.toString().toUpperCase() + i + "  " + phones + "\n");
            }
        }
        ManagedChannel channel = GrpcTesting.channel(base);
        try {
            TrainerGrpc.TrainerBlockingStub trainer = TrainerGrpc.newBlockingStub(channel);
            Job job = trainer.startJob(TrainerJobsContractTest.tiny("oom-" + System.nanoTime())
                    .setData(DataConfig.newBuilder().setLexiconPath(lexicon.toString())).build());
            List<ProgressEvent> events = new ArrayList<>();
            trainer.withDeadlineAfter(5, TimeUnit.MINUTES).streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build())
                    .forEachRemaining(events::add);
            Job done = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
            assertEquals(JobState.JOB_STATE_FAILED, done.getState(), done.getMessage());
            assertTrue(done.getMessage().contains("out of memory"), done.getMessage());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, GrpcTesting.grpcHealth(channel));
            assertEquals(200, GrpcTesting.readiness(base).statusCode());
            assertTrue(trainer.listJobs(io.crossmodal.proto.trainer.v1.ListJobsRequest.getDefaultInstance()).getJobsCount() >= 1);
        } finally {
            GrpcTesting.close(channel);
            Files.deleteIfExists(lexicon);
        }
    }
}
