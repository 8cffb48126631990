package io.crossmodal.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** What the tests say to the services: gRPC channels, the tiny training job, job and readiness polling. */
final class Clients {
    /** Generous: a tiny job trains in seconds; this only bounds a hung job on a loaded CI machine. */
    static final Duration JOB_LIMIT = Duration.ofMinutes(5);
    static final Duration START_LIMIT = Duration.ofMinutes(2);
    private static final Set<JobState> TERMINAL = EnumSet.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED,
            JobState.JOB_STATE_CANCELLED);

    private Clients() {
    }

    static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static void shutdown(ManagedChannel channel) {
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The repository's tiny synthetic lexicon (configs/tiny/lexicon.txt, CMUdict format, 500 words) copied into
     * {@code dataDir}, the directory the trainer is told to read data from ({@code crossmodal.trainer.data-dirs}).
     */
    static Path lexicon(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        return Files.copy(Apps.repoRoot().resolve("configs/tiny/lexicon.txt"), dataDir.resolve("lexicon.txt"));
    }

    /** A job of a few seconds: G2P and P2G (what the decoder and encoder serve), tiny layers, two epochs, exported. */
    static JobConfig tinyJob(String requestId, String model, Path lexicon) {
        return JobConfig.newBuilder()
                .setRequestId(requestId)
                .setModelName(model)
                .setData(DataConfig.newBuilder().setLexiconPath(lexicon.toString()))
                .setSplit(SplitConfig.newBuilder().setDev(30).setTest(40))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(8).setEncoderHiddenSize(12)
                        .setDecoderHiddenSize(16).setEpochs(2).setBatchSize(32).setThreads(1).setDevWords(30).setBeamWidth(2))
                .addComponents(Component.COMPONENT_G2P)
                .addComponents(Component.COMPONENT_P2G)
                .setExport(true)
                .setSeed(1)
                .build();
    }

    /**
     * Polls GetJob until the job reaches a terminal state (no fixed sleep decides anything: the poll interval only
     * paces the calls, the limit only bounds a hung job) and asserts that it succeeded, with the job's message.
     */
    static Job awaitSucceeded(TrainerGrpc.TrainerBlockingStub trainer, String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_LIMIT.toNanos();
        JobRef ref = JobRef.newBuilder().setJobId(jobId).build();
        Job job = trainer.withDeadlineAfter(30, TimeUnit.SECONDS).getJob(ref);
        while (!TERMINAL.contains(job.getState())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " not finished after " + JOB_LIMIT + ": " + job);
            }
            Thread.sleep(250);
            job = trainer.withDeadlineAfter(30, TimeUnit.SECONDS).getJob(ref);
        }
        Job done = job;
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), () -> "job " + jobId + " ended " + done.getState()
                + ": " + done.getMessage());
        return done;
    }

    /** Polls {@code /q/health/ready} until it answers 200 with status UP; returns the body. */
    static String awaitReady(AppProcess app, int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError(app.name + " exited while waiting for readiness");
            }
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"status\":\"UP\"")) {
                return r.body();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(app.name + " not ready within " + START_LIMIT + "; last answer: " + last);
    }
}
