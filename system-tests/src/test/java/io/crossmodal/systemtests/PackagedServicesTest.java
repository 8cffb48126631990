package io.crossmodal.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's way of running the system, with the packaged jars as separate processes: the Trainer API
 * ({@code java -Dquarkus.profile=local -jar trainer-service/target/quarkus-app/quarkus-run.jar}) trains a tiny job
 * submitted over gRPC and exports it into its registry, then decoder-service and encoder-service, started from
 * their jars on that registry with the model preloaded, become ready and answer Decode and Encode with it.
 */
class PackagedServicesTest {
    @RegisterExtension
    final Apps apps = new Apps();

    /** Properties every service process gets here: an ephemeral port, and a Kafka address where nothing listens. */
    static List<String> commonProperties(String unreachableBroker) {
        return List.of("-Dquarkus.http.port=0", "-Dkafka.bootstrap.servers=" + unreachableBroker);
    }

    /** Trainer JVM options: one PyTorch thread (two CPUs on CI, shared by the processes of these tests). */
    static final List<String> TRAINER_THREADS = List.of("-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1");

    /** OpenMP's threads spin while they wait unless told otherwise; passive waiting keeps two CPUs usable. */
    static final Map<String, String> TRAINER_ENV = Map.of("OMP_WAIT_POLICY", "PASSIVE");

    @Test
    void trainerTrainsOverGrpcAndTheServicesServeTheModel() throws Exception {
        Path work = apps.workDir();
        Path registry = work.resolve("registry");
        Path data = work.resolve("data");
        Path lexicon = Clients.lexicon(data);
        String broker = "127.0.0.1:" + Ports.closed();
        String model = "system-test";

        List<String> trainerCmd = new ArrayList<>(List.of(Apps.java(), "-Dquarkus.profile=local"));
        trainerCmd.addAll(commonProperties(broker));
        trainerCmd.addAll(TRAINER_THREADS);
        trainerCmd.addAll(List.of(
                "-Dcrossmodal.registry.dir=" + registry,
                "-Dcrossmodal.trainer.runs-dir=" + work.resolve("runs"),
                // lexicon_path must lie in one of these (the Trainer API's data confinement)
                "-Dcrossmodal.trainer.data-dirs=" + data,
                "-jar", Apps.quarkusApp("trainer").resolve("quarkus-run.jar").toString()));
        AppProcess trainerApp = apps.start("trainer", trainerCmd, TRAINER_ENV, work);
        int trainerPort = trainerApp.awaitPort(Clients.START_LIMIT);
        Clients.awaitReady(trainerApp, trainerPort);

        Job done;
        ManagedChannel tc = Clients.channel(trainerPort);
        try {
            TrainerGrpc.TrainerBlockingStub trainer = TrainerGrpc.newBlockingStub(tc);
            Job job = trainer.withDeadlineAfter(30, TimeUnit.SECONDS).startJob(Clients.tinyJob("st-1", model, lexicon));
            assertFalse(job.getJobId().isEmpty());
            assertTrue(job.getState() == JobState.JOB_STATE_QUEUED || job.getState() == JobState.JOB_STATE_RUNNING
                    || job.getState() == JobState.JOB_STATE_PREPARING, job::toString);
            done = Clients.awaitSucceeded(trainer, job.getJobId());
        } finally {
            Clients.shutdown(tc);
        }
        // its work is done: stopping it leaves the two CPUs of CI to the services' startup
        trainerApp.close();
        assertEquals(model, done.getExported().getName(), done::toString);
        String version = done.getExported().getVersion();
        assertFalse(version.isEmpty(), done::toString);
        assertTrue(done.getExported().getMetricsMap().containsKey("g2p.test.per"), done::toString);
        assertTrue(done.getExported().getMetricsMap().containsKey("p2g.test.wer"), done::toString);

        // both services at once: each preloads the model (readiness waits for it)
        AppProcess decoderApp = apps.start("decoder", serviceCommand("decoder", registry, model, broker), Map.of(), work);
        AppProcess encoderApp = apps.start("encoder", serviceCommand("encoder", registry, model, broker), Map.of(), work);
        int decoderPort = decoderApp.awaitPort(Clients.START_LIMIT);
        int encoderPort = encoderApp.awaitPort(Clients.START_LIMIT);
        assertTrue(Clients.awaitReady(decoderApp, decoderPort).contains(model), "decoder readiness names the model");
        assertTrue(Clients.awaitReady(encoderApp, encoderPort).contains(model), "encoder readiness names the model");

        ManagedChannel dc = Clients.channel(decoderPort);
        ManagedChannel ec = Clients.channel(encoderPort);
        try {
            // "lok  L OW1 K" is a word of the lexicon (stress is stripped by default)
            DecodeResponse d = DecoderGrpc.newBlockingStub(dc).withDeadlineAfter(30, TimeUnit.SECONDS).decode(DecodeRequest.newBuilder()
                    .setRequestId("d1").setModel(ModelRef.newBuilder().setName(model))
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("l", "o", "k"))).setNBest(2).build());
            assertEquals(model, d.getModelName());
            assertEquals(version, d.getModelVersion());
            // two epochs teach a tiny model little: what is checked is that this version answers with a scored n-best
            assertNBest(d.getSequences(), d.toString());

            EncodeResponse e = EncoderGrpc.newBlockingStub(ec).withDeadlineAfter(30, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                    .setRequestId("e1").setModel(ModelRef.newBuilder().setName(model))
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("L", "OW", "K"))).setNBest(2).build());
            assertEquals(model, e.getModelName());
            assertEquals(version, e.getModelVersion());
            assertNBest(e.getHypotheses(), e.toString());
        } finally {
            Clients.shutdown(dc);
            Clients.shutdown(ec);
        }
    }

    /** Two hypotheses (n_best = 2), best first, each a log-probability. */
    private static void assertNBest(ScoredSequences n, String response) {
        assertEquals(2, n.getSequencesCount(), response);
        assertTrue(n.getSequences(0).getLogProb() <= 0 && n.getSequences(0).getLogProb() >= n.getSequences(1).getLogProb(), response);
    }

    /** As the README: {@code java -Dcrossmodal.models=<model> -jar <service>/target/quarkus-app/quarkus-run.jar}, local profile. */
    private static List<String> serviceCommand(String service, Path registry, String model, String broker) {
        List<String> cmd = new ArrayList<>(List.of(Apps.java(), "-Dquarkus.profile=local"));
        cmd.addAll(commonProperties(broker));
        cmd.addAll(List.of("-Dcrossmodal.registry.dir=" + registry, "-Dcrossmodal.models=" + model,
                "-jar", Apps.quarkusApp(service).resolve("quarkus-run.jar").toString()));
        return cmd;
    }
}
