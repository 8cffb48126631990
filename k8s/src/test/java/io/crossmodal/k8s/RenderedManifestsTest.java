package io.crossmodal.k8s;

import static io.crossmodal.k8s.SchemaValidator.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders every kustomization under k8s/ with {@code kubectl kustomize} and validates every object strictly against
 * the Kubernetes API schema ({@link SchemaValidator}) and the render as a whole ({@link ConsistencyChecker}); then
 * checks what the overlays are for (CPU vs GPU placement and provider, read-only registry for inference, the
 * promotion gate at the end of the retraining CronJob).
 */
class RenderedManifestsTest {
    /** the module directory (Surefire runs in it): k8s/ */
    static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Map<Path, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();
    /** the repository root */
    static final Path REPO = ROOT.getParent();
    /** the modules that build a crossmodal image */
    static final List<String> IMAGE_MODULES = List.of("encoder-service", "decoder-service", "trainer-service");
    private static Set<ConsistencyChecker.Ref> outOfBand;
    static Map<String, EnvNames.Readable> programs;
    static Set<String> otherReaders;

    @BeforeAll
    static void kubectlAndAllowlist() throws IOException {
        assertTrue(Files.isRegularFile(ROOT.resolve("base/kustomization.yaml")), "not run from k8s/: " + ROOT);
        System.out.println(Kustomize.checkVersion());
        outOfBand = ConsistencyChecker.readAllowlist(ROOT.resolve("out-of-band.txt"));
        programs = programs();
        otherReaders = EnvNames.readOtherReaders(ROOT.resolve("env-allowlist.txt"));
    }

    /** image name (quarkus.container-image.name of the module) -> what the module's program reads */
    static Map<String, EnvNames.Readable> programs() throws IOException {
        Map<String, EnvNames.Readable> out = new java.util.TreeMap<>();
        for (String module : IMAGE_MODULES) {
            java.util.Properties p = new java.util.Properties();
            try (var in = Files.newBufferedReader(REPO.resolve(module).resolve("src/main/resources/application.properties"))) {
                p.load(in);
            }
            String image = p.getProperty("quarkus.container-image.name");
            assertTrue(image != null, module + ": no quarkus.container-image.name");
            out.put(image, EnvNames.readable(REPO, module));
        }
        return out;
    }

    static List<JsonNode> rendered(String dir) {
        return RENDERED.computeIfAbsent(ROOT.resolve(dir).normalize(), Kustomize::render);
    }

    @Test
    void everyKustomizationIsFound() throws IOException {
        List<String> dirs = Kustomize.kustomizations(ROOT).stream().map(d -> ROOT.relativize(d).toString()).toList();
        assertTrue(dirs.containsAll(List.of("base", "overlays/cpu", "overlays/gpu", "overlays/cpu-tls", "overlays/gpu-mtls")),
                dirs.toString());
        List<String> components = Kustomize.components(ROOT).stream().map(d -> ROOT.relativize(d).toString()).toList();
        assertEquals(List.of("components/mtls", "components/tls"), components);
        // every Component is rendered by some kustomization (and so validated)
        Set<Path> used = new java.util.HashSet<>();
        for (Path d : Kustomize.kustomizations(ROOT)) {
            for (JsonNode c : Kustomize.YAML.readTree(d.resolve("kustomization.yaml").toFile()).path("components")) {
                used.add(d.resolve(c.asText()).normalize());
            }
        }
        for (Path c : Kustomize.components(ROOT)) {
            assertTrue(used.contains(c.normalize()), ROOT.relativize(c) + " is used by no kustomization: the test would not render it");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyKustomizationRendersAndValidatesStrictly() throws IOException {
        return Kustomize.kustomizations(ROOT).stream().map(dir -> DynamicTest.dynamicTest(ROOT.relativize(dir).toString(), () -> {
            List<JsonNode> objects = rendered(ROOT.relativize(dir).toString());
            assertFalse(objects.isEmpty(), "rendered nothing");
            List<String> errors = new ArrayList<>();
            for (JsonNode o : objects) {
                errors.addAll(SchemaValidator.validate(o));
            }
            errors.addAll(ConsistencyChecker.check(objects, outOfBand));
            errors.addAll(EnvNames.check(objects, programs, otherReaders));
            assertTrue(errors.isEmpty(), ROOT.relativize(dir) + ": " + errors.size() + " problem(s):\n  "
                    + String.join("\n  ", errors));
        }));
    }

    /** kustomize passes schema errors through untouched: the validator, not the renderer, has to catch them */
    @Test
    void aBrokenObjectInAKustomizationFailsAfterRendering(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: demo
                resources: [deployment.yaml]
                """);
        Files.writeString(dir.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: demo}
                spec:
                  replicas: "2"
                  selector: {matchLabels: {app: demo}}
                  template:
                    metadata: {labels: {app: demo}}
                    spec:
                      containers:
                        - name: server
                          imagePullPolicy: Always
                          ports: [{containerPort: 9101, protocl: TCP}]
                """);
        List<String> errors = new ArrayList<>();
        Kustomize.render(dir).forEach(o -> errors.addAll(SchemaValidator.validate(o)));
        assertEquals(List.of(
                "Deployment/demo: spec.replicas: expected an integer, got string \"2\"",
                "Deployment/demo: spec.template.spec.containers[0].image: missing required field",
                "Deployment/demo: spec.template.spec.containers[0].ports[0].protocl: unknown field (not in V1ContainerPort)"),
                errors.stream().sorted().toList());
    }

    @Test
    void aKustomizationThatDoesNotBuildFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [missing.yaml]\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kustomize.render(dir));
        assertTrue(e.getMessage().contains("missing.yaml"), e.getMessage());
    }

    @Test
    void gpuOverlayPutsInferenceOnGpuNodesWithCuda() {
        List<JsonNode> gpu = rendered("overlays/gpu");
        assertEquals("cuda", env(gpu).path("data").path("CROSSMODAL_ONNX_PROVIDER").asText());
        assertEquals("0", env(gpu).path("data").path("CROSSMODAL_ONNX_DEVICE_ID").asText());
        for (String name : List.of("encoder-service", "decoder-service")) {
            JsonNode pod = find(gpu, "Deployment", name).path("spec").path("template").path("spec");
            assertEquals("1", pod.path("containers").get(0).path("resources").path("limits").path("nvidia.com/gpu").asText(), name);
            assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText(), name);
            assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText(), name);
        }
        // the trainer stays on CPU nodes (its PyTorch build is the CPU flavour)
        assertTrue(find(gpu, "Deployment", "trainer-api").path("spec").path("template").path("spec").path("nodeSelector").isMissingNode());
    }

    @Test
    void cpuOverlayUsesTheCpuProviderAndNoGpu() {
        List<JsonNode> cpu = rendered("overlays/cpu");
        assertEquals("cpu", env(cpu).path("data").path("CROSSMODAL_ONNX_PROVIDER").asText());
        for (String name : List.of("encoder-service", "decoder-service")) {
            JsonNode c = find(cpu, "Deployment", name).path("spec").path("template").path("spec").path("containers").get(0);
            assertFalse(c.path("resources").path("limits").has("nvidia.com/gpu"), name);
            assertEquals(c.path("resources").path("limits").path("cpu").asText(), c.path("env").get(0).path("value").asText(),
                    name + ": intra-op threads = CPU limit");
        }
    }

    @Test
    void inferenceMountsTheRegistryReadOnlyAndWritersReadWrite() {
        for (String dir : List.of("base", "overlays/cpu", "overlays/gpu")) {
            for (JsonNode o : rendered(dir)) {
                JsonNode pod = podSpec(o);
                if (pod == null) {
                    continue;
                }
                boolean inference = "inference".equals(labels(o).path("app.kubernetes.io/component").asText());
                for (JsonNode v : pod.path("volumes")) {
                    if ("model-registry".equals(text(v.path("persistentVolumeClaim").get("claimName")))) {
                        assertEquals(inference, v.path("persistentVolumeClaim").path("readOnly").asBoolean(false),
                                dir + " " + text(o.path("metadata").get("name")));
                    }
                }
            }
        }
        JsonNode pvc = find(rendered("base"), "PersistentVolumeClaim", "model-registry");
        assertEquals("ReadWriteMany", pvc.path("spec").path("accessModes").get(0).asText());
    }

    @Test
    void retrainingEndsWithThePromotionGateAndNothingStartsOnApply() throws IOException {
        List<JsonNode> base = rendered("base");
        JsonNode cron = find(base, "CronJob", "crossmodal-retrain");
        assertTrue(cron.path("spec").path("suspend").asBoolean(), "CronJob is an example: suspended");
        JsonNode pod = cron.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        assertEquals("train", pod.path("initContainers").get(0).path("args").get(0).asText());
        JsonNode containers = pod.path("containers");
        assertEquals(1, containers.size());
        JsonNode promote = containers.get(0);
        List<String> args = new ArrayList<>();
        promote.path("args").forEach(a -> args.add(a.asText()));
        // the CLI's promote command as the CI workflow calls it (docs/LIFECYCLE.md); the model is the job's
        String model = Kustomize.YAML.readTree(ROOT.resolve("base/trainer-job.json").toFile()).path("name").asText();
        assertEquals(List.of("promote", "--model", model, "--candidate", "candidate", "--gate", "/etc/crossmodal/gate/gate.json"), args);
        // the gate file is mounted from ConfigMap promotion-gate, whose content is configs/gate.json
        JsonNode mount = null;
        for (JsonNode m : promote.path("volumeMounts")) {
            if ("/etc/crossmodal/gate".equals(text(m.get("mountPath")))) {
                mount = m;
            }
        }
        assertTrue(mount != null, "the gate directory is not mounted in the promote container");
        String volume = text(mount.get("name"));
        JsonNode gateCm = configMap(base, "promotion-gate");
        boolean fromGate = false;
        for (JsonNode v : pod.path("volumes")) {
            fromGate |= volume.equals(text(v.get("name")))
                    && text(gateCm.path("metadata").get("name")).equals(text(v.path("configMap").get("name")));
        }
        assertTrue(fromGate, "volume " + volume + " is not ConfigMap promotion-gate");
        assertEquals(Files.readString(REPO.resolve("configs/gate.json")), gateCm.path("data").path("gate.json").asText(),
                "the rendered gate differs from configs/gate.json");
        assertEquals(0, cron.path("spec").path("jobTemplate").path("spec").path("backoffLimit").asInt(-1),
                "a refused promotion is not retried");
        assertTrue(find(base, "Job", "crossmodal-trainer").path("spec").path("suspend").asBoolean());
    }

    /** kustomize cannot read configs/gate.json (outside k8s/base): the copy must stay identical */
    @Test
    void theGateCopyEqualsConfigsGateJson() throws IOException {
        assertEquals(Files.readString(REPO.resolve("configs/gate.json")), Files.readString(ROOT.resolve("base/gate.json")),
                "k8s/base/gate.json differs from configs/gate.json: copy it again (cp configs/gate.json k8s/base/gate.json)");
    }

    @Test
    void plaintextRendersUseNativeGrpcProbesAndNoTls() {
        for (String dir : List.of("base", "overlays/cpu", "overlays/gpu")) {
            for (String name : List.of("encoder-service", "decoder-service", "trainer-api")) {
                JsonNode c = container(rendered(dir), name);
                assertTrue(c.path("startupProbe").has("grpc"), dir + " " + name);
                assertTrue(c.path("livenessProbe").has("grpc"), dir + " " + name);
                assertFalse(env(rendered(dir), c).containsKey("CROSSMODAL_TLS_CERT"), dir + " " + name + ": TLS is off in plaintext renders");
                JsonNode readiness = c.path("readinessProbe");
                if (name.equals("trainer-api")) {
                    assertTrue(readiness.has("grpc"), dir);
                } else {
                    assertEquals("/q/health/ready", readiness.path("httpGet").path("path").asText(), dir + " " + name);
                    assertEquals("HTTP", readiness.path("httpGet").path("scheme").asText("HTTP"), dir + " " + name);
                }
            }
            for (String name : List.of("encoder-service", "decoder-service", "trainer-api")) {
                assertEquals("kubernetes.io/h2c", find(rendered(dir), "Service", name).path("spec").path("ports").get(0)
                        .path("appProtocol").asText(), dir + " " + name);
            }
        }
    }

    /** with TLS on the port, kubelet's grpc probe (plaintext only) would fail: every probe is HTTPS */
    @Test
    void tlsRendersProbeOverHttpsAndRequireTheSecret() {
        for (String dir : List.of("overlays/cpu-tls", "overlays/gpu-mtls")) {
            List<JsonNode> objects = rendered(dir);
            for (String name : List.of("encoder-service", "decoder-service", "trainer-api")) {
                JsonNode d = find(objects, "Deployment", name);
                JsonNode c = container(objects, name);
                Map<String, String> env = env(objects, c);
                assertEquals("/etc/crossmodal/tls/tls.crt", env.get("CROSSMODAL_TLS_CERT"), dir + " " + name);
                assertEquals("/etc/crossmodal/tls/tls.key", env.get("CROSSMODAL_TLS_KEY"), dir + " " + name);
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode pr = c.path(probe);
                    assertFalse(pr.has("grpc"), dir + " " + name + " " + probe + ": a grpc probe cannot speak TLS");
                    assertEquals("HTTPS", pr.path("httpGet").path("scheme").asText(), dir + " " + name + " " + probe);
                    assertEquals(probe.equals("readinessProbe") ? "/q/health/ready" : "/q/health/live",
                            pr.path("httpGet").path("path").asText(), dir + " " + name + " " + probe);
                }
                // the files the variables name come from the required Secret
                boolean mounted = false;
                for (JsonNode m : c.path("volumeMounts")) {
                    mounted |= "/etc/crossmodal/tls".equals(text(m.get("mountPath"))) && "grpc-tls".equals(text(m.get("name")));
                }
                assertTrue(mounted, dir + " " + name);
                for (JsonNode v : d.path("spec").path("template").path("spec").path("volumes")) {
                    if ("grpc-tls".equals(text(v.get("name")))) {
                        assertEquals("crossmodal-grpc-tls", text(v.path("secret").get("secretName")));
                        assertFalse(v.path("secret").path("optional").asBoolean(true), dir + " " + name + ": Secret required with TLS on");
                    }
                }
                assertFalse(find(objects, "Service", name).path("spec").path("ports").get(0).has("appProtocol"),
                        dir + " " + name + ": appProtocol kubernetes.io/h2c is cleartext");
                if (!name.equals("trainer-api")) {
                    assertEquals("https", d.path("spec").path("template").path("metadata").path("annotations")
                            .path("prometheus.io/scheme").asText(), dir + " " + name);
                }
                boolean mtls = dir.endsWith("mtls");
                assertEquals(mtls ? "/etc/crossmodal/tls/ca.crt" : null, env.get("CROSSMODAL_TLS_CLIENT_CA"), dir + " " + name);
                // client certificates requested, not required: kubelet's HTTPS probes present none
                assertEquals(mtls ? "request" : null, env.get("CROSSMODAL_TLS_CLIENT_AUTH"), dir + " " + name);
            }
        }
        // the overlay's own settings survive the component (GPU startup budget)
        assertEquals(90, container(rendered("overlays/gpu-mtls"), "encoder-service").path("startupProbe").path("failureThreshold").asInt());
    }

    /** the Trainer API refuses to start without a credential: its token file must come from the Secret */
    @Test
    void trainerApiGetsItsTokenFileRelaysEventsAndInferenceConsumesThem() {
        for (String dir : List.of("base", "overlays/cpu", "overlays/gpu", "overlays/cpu-tls", "overlays/gpu-mtls")) {
            List<JsonNode> objects = rendered(dir);
            JsonNode trainer = container(objects, "trainer-api");
            Map<String, String> env = env(objects, trainer);
            String tokenFile = env.get("CROSSMODAL_AUTH_TOKEN_FILE");
            assertEquals("/etc/crossmodal/token/token", tokenFile, dir);
            String volume = null;
            for (JsonNode m : trainer.path("volumeMounts")) {
                if (tokenFile.startsWith(text(m.get("mountPath")) + "/")) {
                    volume = text(m.get("name"));
                }
            }
            assertTrue(volume != null, dir + ": the token file is on no mount");
            for (JsonNode v : find(objects, "Deployment", "trainer-api").path("spec").path("template").path("spec").path("volumes")) {
                if (volume.equals(text(v.get("name")))) {
                    assertEquals("crossmodal-trainer-token", text(v.path("secret").get("secretName")), dir);
                    assertFalse(v.path("secret").path("optional").asBoolean(true), dir + ": the token Secret is required");
                }
            }
            assertEquals("true", env.get("CROSSMODAL_EVENTS_RELAY_ENABLED"), dir);
            String kafka = configMap(objects, "crossmodal-kafka").path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText();
            assertEquals(kafka, env.get("KAFKA_BOOTSTRAP_SERVERS"), dir);
            for (String name : List.of("encoder-service", "decoder-service", "trainer-api")) {
                assertEquals(kafka, env(objects, container(objects, name)).get("KAFKA_BOOTSTRAP_SERVERS"), dir + " " + name);
                // NetworkPolicy kafka-egress selects this label
                assertEquals("true", find(objects, "Deployment", name).path("spec").path("template").path("metadata")
                        .path("labels").path("crossmodal.io/kafka-client").asText(), dir + " " + name);
            }
        }
    }

    @Test
    void everyListedOtherReaderIsUsed() {
        Set<String> set = new java.util.HashSet<>();
        for (Path d : kustomizationsUnchecked()) {
            List<JsonNode> objects = rendered(ROOT.relativize(d).toString());
            for (JsonNode o : objects) {
                JsonNode pod = podSpec(o);
                if (pod != null) {
                    for (String k : List.of("initContainers", "containers")) {
                        pod.path(k).forEach(c -> set.addAll(env(objects, c).keySet()));
                    }
                }
            }
        }
        for (String name : otherReaders) {
            assertTrue(set.contains(name), name + ": listed in env-allowlist.txt but set by no rendered container (stale entry)");
        }
    }

    private static List<Path> kustomizationsUnchecked() {
        try {
            return Kustomize.kustomizations(ROOT);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** the first container of a Deployment */
    static JsonNode container(List<JsonNode> objects, String deployment) {
        return find(objects, "Deployment", deployment).path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** a container's environment: envFrom ConfigMaps of the render, then env (literal values; references as "ref") */
    static Map<String, String> env(List<JsonNode> objects, JsonNode container) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode ef : container.path("envFrom")) {
            String name = text(ef.path("configMapRef").get("name"));
            for (JsonNode o : objects) {
                if ("ConfigMap".equals(text(o.get("kind"))) && text(o.path("metadata").get("name")).equals(name)) {
                    o.path("data").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
                }
            }
        }
        for (JsonNode e : container.path("env")) {
            out.put(text(e.get("name")), e.has("value") ? e.get("value").asText() : "ref");
        }
        return out;
    }

    static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(text(o.get("kind"))) && name.equals(text(o.path("metadata").get("name"))))
                .findFirst().orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered"));
    }

    /** the generated crossmodal-inference ConfigMap (its name carries a content hash) */
    private static JsonNode env(List<JsonNode> objects) {
        return configMap(objects, "crossmodal-inference");
    }

    /** a generated ConfigMap by its name without the hash suffix */
    static JsonNode configMap(List<JsonNode> objects, String name) {
        return objects.stream()
                .filter(o -> "ConfigMap".equals(text(o.get("kind"))) && text(o.path("metadata").get("name")).matches(name + "-[a-z0-9]{10}"))
                .findFirst().orElseThrow(() -> new AssertionError("ConfigMap " + name + " not rendered"));
    }

    private static JsonNode podSpec(JsonNode o) {
        return switch (String.valueOf(text(o.get("kind")))) {
            case "Deployment", "Job" -> o.path("spec").path("template").path("spec");
            case "CronJob" -> o.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            default -> null;
        };
    }

    private static JsonNode labels(JsonNode o) {
        return o.path("metadata").path("labels");
    }
}
