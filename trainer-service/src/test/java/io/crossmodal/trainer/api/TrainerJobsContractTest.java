package io.crossmodal.trainer.api;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.GetModelHistoryRequest;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The Trainer API's job contract (trainer.proto) over real gRPC with real (tiny) jobs, each in its own JVM:
 * states, the effective config, run directories, the final stream event, ListJobs order, idempotent StartJob,
 * cancellation in every phase with nothing registered, the export default, and resuming only when asked.
 */
@QuarkusTest
class TrainerJobsContractTest extends TrainerApiClient {
    /** A tiny G2P-only job; {@code export} left unset (the default). */
    static JobConfig.Builder tiny(String model) throws Exception {
        return JobConfig.newBuilder()
                .setModelName(model)
                .setData(DataConfig.newBuilder().setLexiconPath(TrainerGrpcServiceTest.lexicon().toString()))
                .setSplit(SplitConfig.newBuilder().setDev(30).setTest(40))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(8).setEncoderHiddenSize(12)
                        .setDecoderHiddenSize(16).setEpochs(2).setBatchSize(32).setThreads(1))
                .addComponents(Component.COMPONENT_G2P);
    }

    private List<ProgressEvent> follow(String jobId) {
        List<ProgressEvent> events = new ArrayList<>();
        trainer.withDeadlineAfter(5, TimeUnit.MINUTES).streamProgress(JobRef.newBuilder().setJobId(jobId).build())
                .forEachRemaining(events::add);
        return events;
    }

    private static ModelRegistry registry() {
        return new ModelRegistry(Path.of(ConfigProvider.getConfig().getValue("crossmodal.registry.dir", String.class)));
    }

    @Test
    void aJobFollowsTheContract() throws Exception {
        String model = "contract-" + System.nanoTime();
        Job job = trainer.startJob(tiny(model).setRequestId("c1").build());

        // the effective config: defaults filled in, export true by default (as in the CLI)
        JobConfig effective = job.getConfig();
        assertTrue(effective.getExport(), "export defaults to true");
        assertEquals(3, effective.getHyperparameters().getPatience());
        assertEquals(40, effective.getHyperparameters().getMaxOutputLength());
        assertEquals(-1, effective.getSplit().getPaired());
        assertEquals(40, effective.getSplit().getTest());
        assertTrue(effective.getSplit().getStripStress());
        assertEquals(5, effective.getHyperparameters().getBeamWidth());
        assertEquals(1, effective.getHyperparameters().getThreads());
        assertEquals(1L, effective.getSeed());
        assertEquals(List.of(Component.COMPONENT_G2P), effective.getComponentsList());
        assertTrue(effective.getData().getLexiconPath().startsWith(TrainerGrpcServiceTest.dataDir().toRealPath().toString()));
        // the bundle's lexicon: the training entries, no override, lexicon first (docs/LEXICON.md)
        assertEquals(io.crossmodal.proto.trainer.v1.LexiconConfig.newBuilder().setTraining(true)
                .setMode(io.crossmodal.proto.common.v1.LexiconMode.LEXICON_MODE_FIRST).build(), effective.getLexicon());
        // one run directory per job id, absolute
        Path runDir = Path.of(job.getRunDir());
        assertTrue(runDir.isAbsolute(), job.getRunDir());
        assertEquals(job.getJobId(), runDir.getFileName().toString());

        List<ProgressEvent> events = follow(job.getJobId());
        Set<JobState> states = new HashSet<>();
        events.forEach(e -> states.add(e.getState()));
        assertTrue(states.containsAll(List.of(JobState.JOB_STATE_PREPARING, JobState.JOB_STATE_RUNNING,
                JobState.JOB_STATE_EXPORTING, JobState.JOB_STATE_SUCCEEDED)), "states seen: " + states);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, events.get(events.size() - 1).getState());

        Job done = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getMessage());
        assertEquals(model, done.getExported().getName());
        assertTrue(done.getExported().hasCreatedAt());
        // threads honoured and reported as PyTorch ran them
        assertTrue(done.getMessage().contains("trained with 1 thread"), done.getMessage());
        assertTrue(Files.isRegularFile(runDir.resolve("job.json")));
        String lineageConfig = trainer.getModelHistory(GetModelHistoryRequest.newBuilder().setModelName(model).build())
                .getVersions(0).getJobConfigJson();
        assertTrue(lineageConfig.replace(" ", "").contains("\"threads\":1"), lineageConfig);

        // a finished job's stream is one event with its final state
        List<ProgressEvent> again = follow(job.getJobId());
        assertEquals(1, again.size(), again.toString());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, again.get(0).getState());
    }

    @Test
    void startJobIsIdempotentByKeyAndJobsGetTheirOwnRunDirectories() throws Exception {
        String model = "idem-" + System.nanoTime();
        JobConfig request = tiny(model).setExport(false).setIdempotencyKey("key-" + model).build();
        Job first = trainer.startJob(request);
        Job retry = trainer.startJob(request.toBuilder().setRequestId("retry").build());
        assertEquals(first.getJobId(), retry.getJobId(), "a retry with the same key is the same job");
        fails(Status.Code.FAILED_PRECONDITION, () -> trainer.startJob(request.toBuilder()
                .setHyperparameters(request.getHyperparameters().toBuilder().setEpochs(3)).build()));
        // jobs of one name submitted at once: distinct ids and run directories (never <name>-<millis>)
        Set<String> dirs = new HashSet<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Job j = trainer.startJob(tiny(model).setExport(false).build());
            ids.add(j.getJobId());
            dirs.add(j.getRunDir());
        }
        assertEquals(5, dirs.size());
        // ListJobs: newest first
        List<String> listed = trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .map(Job::getJobId).filter(id -> ids.contains(id) || id.equals(first.getJobId())).toList();
        List<String> expected = new ArrayList<>(ids);
        java.util.Collections.reverse(expected);
        expected.add(first.getJobId());
        assertEquals(expected, listed);
        for (String id : ids) {
            Job c = trainer.cancelJob(JobRef.newBuilder().setJobId(id).build());
            assertNotEquals(JobState.JOB_STATE_SUCCEEDED, c.getState());
        }
        for (String id : ids) {
            List<ProgressEvent> ev = follow(id);
            assertEquals(JobState.JOB_STATE_CANCELLED, ev.get(ev.size() - 1).getState());
        }
        List<ProgressEvent> ev = follow(first.getJobId());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, ev.get(ev.size() - 1).getState());
        assertTrue(registry().listModels().stream().noneMatch(model::equals), "export=false registered a bundle");
    }

    /** A job resumes another job's checkpoints only when asked, and only those of the same model and data. */
    @Test
    void checkpointsAreResumedOnlyWhenAsked() throws Exception {
        JobConfig first = tiny("resume-" + System.nanoTime()).setExport(false).build();
        Job a = trainer.startJob(first);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, follow(a.getJobId()).stream().reduce((x, y) -> y).orElseThrow().getState());
        JobConfig more = first.toBuilder().setHyperparameters(first.getHyperparameters().toBuilder().setEpochs(3)).build();

        Job fresh = trainer.startJob(more);
        List<ProgressEvent> freshEvents = follow(fresh.getJobId());
        assertTrue(freshEvents.stream().noneMatch(e -> e.getPhase().equals("resume")), "resumed without being asked");

        Job resumed = trainer.startJob(more.toBuilder().setResumeFromJobId(a.getJobId()).build());
        assertEquals(a.getJobId(), resumed.getConfig().getResumeFromJobId());
        List<ProgressEvent> events = follow(resumed.getJobId());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, events.get(events.size() - 1).getState());
        assertTrue(events.stream().anyMatch(e -> e.getPhase().equals("resume") && e.getEpoch() == 2), "no resume after epoch 2");
        assertNotEquals(a.getRunDir(), resumed.getRunDir());

        var other = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(more.toBuilder().setResumeFromJobId(a.getJobId())
                .setHyperparameters(more.getHyperparameters().toBuilder().setEmbeddingSize(10)).build()));
        assertTrue(other.getStatus().getDescription().contains("resume_from_job_id"), other.getStatus().getDescription());
        fails(Status.Code.NOT_FOUND, () -> trainer.startJob(more.toBuilder()
                .setResumeFromJobId(java.util.UUID.randomUUID().toString()).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(more.toBuilder().setResumeFromJobId("../" + a.getJobId()).build()));
    }

    /** Cancelled in preparation, in training and in the evaluation: CANCELLED, and nothing registered. */
    @Test
    void cancellationIsHonouredInEveryPhaseAndRegistersNothing() throws Exception {
        for (JobState phase : List.of(JobState.JOB_STATE_PREPARING, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_EXPORTING)) {
            String model = "cancel-" + phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + System.nanoTime();
            // a larger test split and beam: the evaluation lasts long enough to be cancelled in
            Job job = trainer.startJob(tiny(model).setSplit(SplitConfig.newBuilder().setDev(30).setTest(150))
                    .setHyperparameters(tiny(model).getHyperparameters().toBuilder().setBeamWidth(8)).build());
            Iterator<ProgressEvent> it = trainer.withDeadlineAfter(5, TimeUnit.MINUTES)
                    .streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build());
            boolean cancelled = false;
            JobState last = null;
            while (it.hasNext()) {
                ProgressEvent e = it.next();
                last = e.getState();
                if (!cancelled && e.getState() == phase) {
                    trainer.cancelJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
                    cancelled = true;
                }
            }
            assertTrue(cancelled, "never saw " + phase);
            assertEquals(JobState.JOB_STATE_CANCELLED, last, phase.name());
            Job j = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
            assertEquals(JobState.JOB_STATE_CANCELLED, j.getState());
            assertFalse(j.hasExported());
            assertTrue(registry().listModels().stream().noneMatch(model::equals), phase + ": a cancelled job registered");
        }
    }
}
