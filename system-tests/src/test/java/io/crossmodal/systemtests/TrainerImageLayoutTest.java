package io.crossmodal.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trainer image as Kubernetes runs it (k8s/base): target/quarkus-app laid out as Jib puts it in the image
 * ({@code /home/jboss}), the volumes of the manifests mapped to test directories, and the manifests' own command
 * lines and environment run: the Job's and the CronJob's trainer CLI ({@code java -cp '/home/jboss/app/*:...'
 * io.crossmodal.trainer.cli.TrainerCli train|promote ...}) and the Deployment's Trainer API (the image entrypoint,
 * {@code java <quarkus.jib jvm arguments> -jar /home/jboss/quarkus-run.jar}, prod profile, token authentication).
 */
class TrainerImageLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Apps apps = new Apps();

    /**
     * DJL unpacks libtorch (some 500 MB) into DJL_CACHE_DIR, /tmp/djl in the pods: here that is the host's default
     * DJL cache, shared with the other trainer tests, instead of a fresh unpack per test.
     */
    private static Path djlCache() {
        return Path.of(System.getProperty("user.home"), ".djl.ai");
    }

    private ContainerFs containerFs(Path root) throws Exception {
        Path work = apps.workDir();
        ContainerFs.layOutImage(Apps.quarkusApp("trainer"), root);
        ContainerFs fs = new ContainerFs().mount(ContainerFs.APP_DIR, root.resolve("home/jboss"));
        for (String volume : List.of("/models", "/work", "/runs", "/tmp", "/etc/crossmodal/job", "/etc/crossmodal/gate",
                "/etc/crossmodal/token", "/etc/crossmodal/tls")) {
            Path host = work.resolve("volumes").resolve(volume.substring(1).replace('/', '_'));
            Files.createDirectories(host);
            fs.mount(volume, host);
        }
        return fs.mount("/tmp/djl", djlCache());
    }

    /** The image has {@code java} on its PATH; here it is the test's JDK. */
    private static List<String> withJava(List<String> command) {
        List<String> out = new ArrayList<>(command);
        assertEquals("java", out.get(0), () -> "the manifests' trainer commands start with java: " + command);
        out.set(0, Apps.java());
        return out;
    }

    /** The manifest's environment plus one PyTorch thread (appended to its JAVA_TOOL_OPTIONS, as the JVM reads it). */
    private static Map<String, String> withTrainerThreads(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(env);
        String threads = String.join(" ", PackagedServicesTest.TRAINER_THREADS);
        out.merge("JAVA_TOOL_OPTIONS", threads, (a, b) -> a + " " + b);
        out.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        return out;
    }

    @Test
    void jobAndCronJobCommandsTrainAndPromoteFromTheImageLayout() throws Exception {
        Path work = apps.workDir();
        ContainerFs fs = containerFs(work.resolve("image"));

        JsonNode jobSpec = K8sManifests.object("trainer-job.yaml", "Job", "crossmodal-trainer").path("spec").path("template").path("spec");
        JsonNode job = K8sManifests.container(jobSpec, "containers", "trainer");
        JsonNode cronSpec = K8sManifests.object("trainer-cronjob.yaml", "CronJob", "crossmodal-retrain")
                .path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        JsonNode cronTrain = K8sManifests.container(cronSpec, "initContainers", "train");
        JsonNode cronPromote = K8sManifests.container(cronSpec, "containers", "promote");
        // the CronJob's training step is the Job's command: running the Job's covers both
        assertEquals(K8sManifests.commandLine(job), K8sManifests.commandLine(cronTrain), "CronJob train vs Job command line");

        // the job.json of ConfigMap trainer-job (k8s/base/trainer-job.json), made tiny: the repository's tiny
        // G2P job (configs/tiny/good.json, passes configs/gate.json) under the manifest's model name and run dir
        JsonNode k8sJob = JSON.readTree(K8sManifests.base().resolve("trainer-job.json").toFile());
        String model = k8sJob.path("name").asText();
        ObjectNode tiny = (ObjectNode) JSON.readTree(Apps.repoRoot().resolve("configs/tiny/good.json").toFile());
        tiny.put("name", model);
        tiny.put("runDir", fs.map(k8sJob.path("runDir").asText()));
        ((ObjectNode) tiny.path("data")).put("source", Clients.lexicon(work.resolve("data")).toString());
        JSON.writeValue(fs.host("/etc/crossmodal/job").resolve("job.json").toFile(), tiny);
        // ConfigMap promotion-gate is generated from k8s/base/gate.json
        Files.copy(K8sManifests.base().resolve("gate.json"), fs.host("/etc/crossmodal/gate").resolve("gate.json"));

        AppProcess train = apps.start("job-trainer", fs.map(withJava(K8sManifests.commandLine(job))),
                fs.map(withTrainerThreads(K8sManifests.environment(job))), work);
        assertEquals(0, train.awaitExit(Clients.JOB_LIMIT), "trainer Job exit code");
        Path registry = fs.host("/models");
        assertTrue(Files.isRegularFile(registry.resolve(model).resolve("1").resolve("manifest.json")), "bundle 1 registered");
        assertEquals("1", Files.readString(registry.resolve(model).resolve("aliases/candidate")).trim());

        AppProcess promote = apps.start("cronjob-promote", fs.map(withJava(K8sManifests.commandLine(cronPromote))),
                fs.map(withTrainerThreads(K8sManifests.environment(cronPromote))), work);
        assertEquals(0, promote.awaitExit(Clients.JOB_LIMIT), "promote exit code (3 = refused by the gate)");
        assertEquals("1", Files.readString(registry.resolve(model).resolve("aliases/production")).trim());
        try (var decisions = Files.list(registry.resolve(model).resolve("decisions"))) {
            assertEquals(1, decisions.filter(p -> p.getFileName().toString().contains("-promote-v1-")).count());
        }
    }

    @Test
    void deploymentEntrypointServesTheTrainerApiWithAuthentication() throws Exception {
        Path work = apps.workDir();
        ContainerFs fs = containerFs(work.resolve("image"));
        JsonNode podSpec = K8sManifests.object("trainer-api.yaml", "Deployment", "trainer-api").path("spec").path("template").path("spec");
        JsonNode container = K8sManifests.container(podSpec, "containers", "trainer");
        assertFalse(container.has("command") || container.has("args"),
                "the Deployment runs the image's entrypoint; this test models that entrypoint (update it with the manifest)");

        // the entrypoint Quarkus' Jib build gives a ubi9/openjdk image: run-java.sh, which runs
        // java $JAVA_OPTS_APPEND -jar $JAVA_APP_JAR, with JAVA_OPTS_APPEND = quarkus.jib.jvm-arguments + jvm-additional-arguments
        // and JAVA_APP_JAR = /home/jboss/quarkus-run.jar (run-java.sh's own memory/GC tuning is not reproduced here)
        Properties props = ContainerFs.applicationProperties("trainer-service");
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(list(props.getProperty("quarkus.jib.jvm-arguments")));
        cmd.addAll(list(props.getProperty("quarkus.jib.jvm-additional-arguments")));
        cmd.addAll(List.of("-jar", ContainerFs.APP_DIR + "/quarkus-run.jar"));

        Map<String, String> env = new LinkedHashMap<>();
        String prefix = "quarkus.jib.environment-variables.";
        props.stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> env.put(k.substring(prefix.length()).replace("\"", ""), props.getProperty(k)));
        env.putAll(K8sManifests.environment(container));
        // the test host: an ephemeral port on loopback only, a Kafka address where nothing listens, and the lexicon's
        // directory as the Trainer API's data directory
        Path data = work.resolve("data");
        Path lexicon = Clients.lexicon(data);
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + Ports.closed());

        // the token Secret, as k8s/README.md creates it: the file holds only the token's hash
        String token = UUID.randomUUID().toString();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        Path tokenFile = fs.host(env.get("CROSSMODAL_AUTH_TOKEN_FILE"));
        Files.writeString(tokenFile, "sha256:" + hash + "\n");

        // a host path, added after the container-to-host mapping (which would rewrite its /tmp prefix as the /tmp volume)
        Map<String, String> hostEnv = new LinkedHashMap<>(fs.map(withTrainerThreads(env)));
        hostEnv.put("CROSSMODAL_TRAINER_DATA_DIRS", data.toString());
        AppProcess api = apps.start("trainer-api", fs.map(withJava(cmd)), hostEnv, work);
        int port = api.awaitPort(Clients.START_LIMIT);
        Clients.awaitReady(api, port);
        assertTrue(api.output().contains("Profile prod activated"), "the Deployment runs the prod profile");

        ManagedChannel channel = Clients.channel(port);
        try {
            TrainerGrpc.TrainerBlockingStub anonymous = TrainerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> anonymous.startJob(Clients.tinyJob("anon", "k8s-api", lexicon)));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());

            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            TrainerGrpc.TrainerBlockingStub trainer = TrainerGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
            Job started = trainer.withDeadlineAfter(30, TimeUnit.SECONDS).startJob(Clients.tinyJob("k8s-1", "k8s-api", lexicon));
            Job done = Clients.awaitSucceeded(trainer, started.getJobId());
            assertEquals("k8s-api", done.getExported().getName());
            String version = done.getExported().getVersion();
            // the registry is the /models volume (CROSSMODAL_REGISTRY_DIR from ConfigMap crossmodal-env)
            assertTrue(Files.isRegularFile(fs.host("/models").resolve("k8s-api").resolve(version).resolve("manifest.json")));
        } finally {
            Clients.shutdown(channel);
        }
        // run directories on the trainer-runs volume (CROSSMODAL_TRAINER_RUNS_DIR=/runs)
        try (var runs = Files.list(fs.host(env.get("CROSSMODAL_TRAINER_RUNS_DIR")))) {
            assertTrue(runs.anyMatch(Files::isDirectory), "a run directory under the runs volume");
        }
    }

    private static List<String> list(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
