package io.crossmodal.k8s;

import static io.crossmodal.k8s.RenderedManifestsTest.configMap;
import static io.crossmodal.k8s.RenderedManifestsTest.container;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The environment names derived from the repository are the ones the code reads, and a name nothing reads (a typo,
 * a guessed name, a name for another service) fails the check.
 */
class EnvNamesTest {
    private static List<JsonNode> base;
    private static Map<String, EnvNames.Readable> programs;
    private static Set<String> others;

    @BeforeAll
    static void load() throws IOException {
        base = RenderedManifestsTest.rendered("base");
        programs = RenderedManifestsTest.programs();
        others = EnvNames.readOtherReaders(RenderedManifestsTest.ROOT.resolve("env-allowlist.txt"));
    }

    private static List<JsonNode> copy(Consumer<List<JsonNode>> change) {
        List<JsonNode> c = new ArrayList<>();
        base.forEach(o -> c.add(o.deepCopy()));
        change.accept(c);
        return c;
    }

    private static void addEnv(List<JsonNode> objects, String deployment, String name, String value) {
        ((ObjectNode) container(objects, deployment)).withArray("env").addObject().put("name", name).put("value", value);
    }

    @Test
    void quarkusEnvNamingRule() {
        assertEquals("CROSSMODAL_ONNX_DEVICE_ID", EnvNames.envName("crossmodal.onnx.device-id"));
        assertEquals("KAFKA_BOOTSTRAP_SERVERS", EnvNames.envName("kafka.bootstrap.servers"));
        assertEquals("CROSSMODAL_SERVING_BATCHING_MODELS__CMUDICT__MAX_BATCH_SIZE",
                EnvNames.envName("crossmodal.serving.batching.models.\"cmudict\".max-batch-size"));
        assertEquals("encoder-service", EnvNames.imageName("registry.example.com:5000/crossmodal/encoder-service:0.1.0@sha256:ab"));
    }

    @Test
    void theNamesTheCodeReadsAreDerived() {
        assertEquals(Set.of("encoder-service", "decoder-service", "trainer-service"), programs.keySet());
        EnvNames.Readable encoder = programs.get("encoder-service");
        EnvNames.Readable trainer = programs.get("trainer-service");
        // security (TlsSettings, AuthConfig mappings), serving-common (ServingConfig), properties, runtime / lifecycle getenv
        for (String n : List.of("CROSSMODAL_TLS_CERT", "CROSSMODAL_TLS_KEY", "CROSSMODAL_TLS_CLIENT_CA", "CROSSMODAL_TLS_CLIENT_AUTH",
                "CROSSMODAL_TLS_RELOAD_PERIOD", "CROSSMODAL_AUTH_ENABLED", "CROSSMODAL_AUTH_TOKEN_FILE", "CROSSMODAL_AUTH_TOKENS",
                "CROSSMODAL_AUTH_ALLOWED_SUBJECTS", "CROSSMODAL_MODELS", "CROSSMODAL_ONNX_PROVIDER", "CROSSMODAL_ONNX_DEVICE_ID",
                "CROSSMODAL_ONNX_INTRA_OP_THREADS", "CROSSMODAL_ONNX_CUDA_MEMORY_LIMIT", "CROSSMODAL_REGISTRY_DIR",
                "CROSSMODAL_SERVING_RELOAD_INTERVAL", "KAFKA_BOOTSTRAP_SERVERS", "MP_MESSAGING_INCOMING_MODEL_LIFECYCLE_ENABLED",
                "QUARKUS_OTEL_SDK_DISABLED")) {
            assertTrue(encoder.reads(n), "encoder: " + n);
        }
        // the CMUdict download cache is read by the datasets module, which only the trainer depends on
        assertFalse(encoder.reads("CROSSMODAL_CACHE"), "encoder reads CROSSMODAL_CACHE");
        assertTrue(encoder.reads("CROSSMODAL_SERVING_BATCHING_MODELS__CMUDICT__MAX_BATCH_SIZE"), "map-valued mapping");
        for (String n : List.of("CROSSMODAL_TLS_CERT", "CROSSMODAL_AUTH_TOKEN_FILE", "CROSSMODAL_EVENTS_RELAY_ENABLED",
                "CROSSMODAL_TRAINER_RUNS_DIR", "CROSSMODAL_REGISTRY_DIR", "CROSSMODAL_CACHE", "CROSSMODAL_ACTOR",
                "CROSSMODAL_SOURCE_COMMIT", "CROSSMODAL_TOKEN", "KAFKA_BOOTSTRAP_SERVERS")) {
            assertTrue(trainer.reads(n), "trainer: " + n);
        }
        // the names the manifests guessed before the security work landed: nothing reads them
        for (String n : List.of("CROSSMODAL_TLS_CERT_FILE", "CROSSMODAL_TLS_KEY_FILE", "CROSSMODAL_TLS_CA_FILE",
                "CROSSMODAL_TRAINER_TOKEN_FILE")) {
            for (EnvNames.Readable p : programs.values()) {
                assertFalse(p.reads(n), p.program() + ": " + n);
            }
        }
        // per program: the relay is the trainer's, the model preload and ONNX settings the services'
        assertFalse(encoder.reads("CROSSMODAL_EVENTS_RELAY_ENABLED"));
        assertFalse(trainer.reads("CROSSMODAL_MODELS"));
        assertFalse(trainer.reads("CROSSMODAL_ONNX_PROVIDER"));
        // a property name built by concatenation in the code is not taken as its literal prefix
        assertFalse(encoder.reads("MP_MESSAGING_INCOMING_"));
    }

    @Test
    void theBasePasses() {
        assertEquals(List.of(), EnvNames.check(base, programs, others));
    }

    @Test
    void aMisspelledEnvEntryFails() {
        assertEquals(List.of("Deployment/encoder-service container server: environment variable CROSSMODAL_ONNX_PROVDER (env)"
                        + " is read by nothing in encoder-service (its application.properties, config mappings, getenv) nor listed"
                        + " in env-allowlist.txt"),
                EnvNames.check(copy(o -> addEnv(o, "encoder-service", "CROSSMODAL_ONNX_PROVDER", "cuda")), programs, others));
    }

    @Test
    void aMisspelledConfigMapKeyFailsForEveryContainerThatLoadsIt() {
        List<JsonNode> objects = copy(o -> ((ObjectNode) configMap(o, "crossmodal-security").path("data"))
                .put("CROSSMODAL_TLS_CERT_FILE", "/etc/crossmodal/tls/tls.crt"));
        List<String> errors = EnvNames.check(objects, programs, others);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("Deployment/trainer-api container trainer: environment variable CROSSMODAL_TLS_CERT_FILE"
                + " (ConfigMap/crossmodal-security-"), errors.get(0));
        // crossmodal-env is loaded by all five crossmodal containers (three Deployments, Job, CronJob init + main)
        List<String> all = EnvNames.check(copy(o -> ((ObjectNode) configMap(o, "crossmodal-env").path("data"))
                .put("CROSSMODAL_TRAINER_TOKEN_FILE", "/x")), programs, others);
        assertEquals(6, all.size(), all.toString());
    }

    @Test
    void aNameOfAnotherProgramFails() {
        // the model preload is read by the inference services, not by the trainer
        List<String> errors = EnvNames.check(copy(o -> addEnv(o, "trainer-api", "CROSSMODAL_MODELS", "cmudict")), programs, others);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("CROSSMODAL_MODELS (env) is read by nothing in trainer-service"), errors.get(0));
    }

    @Test
    void anUnknownImageFails() {
        List<String> errors = EnvNames.check(copy(o -> ((ObjectNode) container(o, "decoder-service")).put("image", "busybox:1.36")),
                programs, others);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("Deployment/decoder-service container server: image busybox:1.36 is not a crossmodal module"),
                errors.get(0));
    }

    @Test
    void configMappingsAreExpanded() throws IOException {
        Set<String> serving = EnvNames.javaProperties(Files.readString(RenderedManifestsTest.REPO.resolve(
                "serving-common/src/main/java/io/crossmodal/serving/common/ServingConfig.java")));
        assertTrue(serving.containsAll(List.of("crossmodal.registry.dir", "crossmodal.models", "crossmodal.onnx.provider",
                "crossmodal.onnx.device-id", "crossmodal.onnx.cuda-memory-limit", "crossmodal.serving.cache-size")), serving.toString());
        Set<String> load = EnvNames.javaProperties(Files.readString(RenderedManifestsTest.REPO.resolve(
                "serving-common/src/main/java/io/crossmodal/serving/common/ServingLoadConfig.java")));
        assertTrue(load.containsAll(List.of("crossmodal.serving.reload-interval", "crossmodal.serving.batching.max-batch-size",
                "crossmodal.serving.batching.models.*.queue-capacity", "crossmodal.serving.stream.max-in-flight")), load.toString());
    }
}
