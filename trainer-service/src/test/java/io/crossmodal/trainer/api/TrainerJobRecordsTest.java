package io.crossmodal.trainer.api;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Job records across a restart, admission and pruning: the trainer starts on a runs directory written by an
 * "earlier run" (one job finished, one interrupted while running, one corrupt record), with a queue of two.
 */
@QuarkusTest
@TestProfile(TrainerJobRecordsTest.EarlierRun.class)
class TrainerJobRecordsTest extends TrainerApiClient {
    static final String FINISHED = "11111111-1111-1111-1111-111111111111";
    static final String INTERRUPTED = "22222222-2222-2222-2222-222222222222";
    static final String OLD = "33333333-3333-3333-3333-333333333333";

    /** A runs directory as an earlier trainer left it; a queue of two. */
    public static class EarlierRun implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path runs = Files.createTempDirectory("crossmodal-runs-");
                String config = io.crossmodal.trainer.config.JobConfig.parse("{\"name\": \"earlier\", \"export\": false}").toJson();
                JobStore store = new JobStore(runs);
                Instant t = Instant.now().minus(1, ChronoUnit.HOURS);
                store.write(new JobStore.JobFile(FINISHED, "r-finished", null, "f", t.toString(), t.toString(),
                        t.plusSeconds(60).toString(), "SUCCEEDED", "exported earlier/1", config,
                        new JobStore.Exported("earlier", 1, "seq2seq", List.of("g2p"), Map.of("g2p.test.per", 0.1), null), null));
                store.write(new JobStore.JobFile(INTERRUPTED, "r".repeat(300_000), null, "f", t.toString(), t.toString(),
                        null, "RUNNING", "training", config, null, null));
                Instant old = Instant.now().minus(30, ChronoUnit.DAYS);
                store.write(new JobStore.JobFile(OLD, null, null, "f", old.toString(), old.toString(),
                        old.plusSeconds(5).toString(), "FAILED", "x", config, null, null));
                Files.createDirectories(runs.resolve("44444444-4444-4444-4444-444444444444"));
                Files.writeString(runs.resolve("44444444-4444-4444-4444-444444444444").resolve(JobStore.FILE), "{not json");
                return Map.of("crossmodal.trainer.runs-dir", runs.toString(),
                        "crossmodal.trainer.jobs.max-queued", "2",
                        "crossmodal.trainer.jobs.retention", "7d");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    JobManager jobs;


    @Test
    void earlierJobsAreReportedWithTheirFinalStateOrAsLost() {
        Job finished = trainer.getJob(JobRef.newBuilder().setJobId(FINISHED).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, finished.getState());
        assertEquals("earlier", finished.getExported().getName());
        Job lost = trainer.getJob(JobRef.newBuilder().setJobId(INTERRUPTED).build());
        assertEquals(JobState.JOB_STATE_FAILED, lost.getState());
        assertTrue(lost.getMessage().startsWith("lost:"), lost.getMessage());
        assertTrue(lost.getRequestId().length() < 1000, "a stored oversized request id is cut on reading");
        // the listing works with the legacy record in it, and the corrupt record is skipped
        List<String> ids = trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .map(Job::getJobId).toList();
        assertTrue(ids.containsAll(List.of(FINISHED, INTERRUPTED)), ids.toString());
        assertFalse(ids.contains("44444444-4444-4444-4444-444444444444"));
    }

    @Test
    void finishedJobsArePrunedAfterTheRetention() {
        Path oldDir = jobs.runsDir().resolve(OLD);
        if (jobs.get(OLD).isPresent()) {
            assertTrue(Files.isDirectory(oldDir));
            assertTrue(jobs.prune(Instant.now()) >= 1);
        }
        fails(Status.Code.NOT_FOUND, () -> trainer.getJob(JobRef.newBuilder().setJobId(OLD).build()));
        assertFalse(Files.exists(oldDir));
        assertTrue(jobs.get(FINISHED).isPresent(), "a job finished an hour ago is kept (retention 7d)");
    }

    @Test
    void theQueueIsBounded() throws Exception {
        JobConfig request = TrainerJobsContractTest.tiny("queue-" + System.nanoTime()).setExport(false).build();
        Job a = trainer.startJob(request);
        Job b = trainer.startJob(request);
        try {
            var e = fails(Status.Code.RESOURCE_EXHAUSTED, () -> trainer.startJob(request));
            assertTrue(e.getStatus().getDescription().contains("max-queued"), e.getStatus().getDescription());
        } finally {
            trainer.cancelJob(JobRef.newBuilder().setJobId(b.getJobId()).build());
            trainer.cancelJob(JobRef.newBuilder().setJobId(a.getJobId()).build());
        }
    }
}
