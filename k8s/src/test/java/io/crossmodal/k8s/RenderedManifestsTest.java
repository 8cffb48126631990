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
    private static Set<ConsistencyChecker.Ref> outOfBand;

    @BeforeAll
    static void kubectlAndAllowlist() throws IOException {
        assertTrue(Files.isRegularFile(ROOT.resolve("base/kustomization.yaml")), "not run from k8s/: " + ROOT);
        System.out.println(Kustomize.checkVersion());
        outOfBand = ConsistencyChecker.readAllowlist(ROOT.resolve("out-of-band.txt"));
    }

    static List<JsonNode> rendered(String dir) {
        return RENDERED.computeIfAbsent(ROOT.resolve(dir).normalize(), Kustomize::render);
    }

    @Test
    void everyKustomizationIsFound() throws IOException {
        List<String> dirs = Kustomize.kustomizations(ROOT).stream().map(d -> ROOT.relativize(d).toString()).toList();
        assertTrue(dirs.containsAll(List.of("base", "overlays/cpu", "overlays/gpu")), dirs.toString());
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
    void retrainingEndsWithThePromotionGateAndNothingStartsOnApply() {
        List<JsonNode> base = rendered("base");
        JsonNode cron = find(base, "CronJob", "crossmodal-retrain");
        assertTrue(cron.path("spec").path("suspend").asBoolean(), "CronJob is an example: suspended");
        JsonNode pod = cron.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        assertEquals("train", pod.path("initContainers").get(0).path("args").get(0).asText());
        JsonNode containers = pod.path("containers");
        assertEquals(1, containers.size());
        List<String> args = new ArrayList<>();
        containers.get(0).path("args").forEach(a -> args.add(a.asText()));
        assertEquals("promote", args.get(0));
        assertTrue(args.contains("--gate"), args.toString());
        assertEquals(0, cron.path("spec").path("jobTemplate").path("spec").path("backoffLimit").asInt(-1),
                "a refused promotion is not retried");
        assertTrue(find(base, "Job", "crossmodal-trainer").path("spec").path("suspend").asBoolean());
    }

    @Test
    void probesAreNativeGrpcWhereGrpcHealthSaysEnough() {
        for (String name : List.of("encoder-service", "decoder-service", "trainer-api")) {
            JsonNode c = find(rendered("base"), "Deployment", name).path("spec").path("template").path("spec").path("containers").get(0);
            assertTrue(c.path("startupProbe").has("grpc"), name);
            assertTrue(c.path("livenessProbe").has("grpc"), name);
        }
        JsonNode trainer = find(rendered("base"), "Deployment", "trainer-api").path("spec").path("template").path("spec").path("containers").get(0);
        assertTrue(trainer.path("readinessProbe").has("grpc"));
    }

    static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(text(o.get("kind"))) && name.equals(text(o.path("metadata").get("name"))))
                .findFirst().orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered"));
    }

    /** the generated crossmodal-env ConfigMap (its name carries a content hash) */
    private static JsonNode env(List<JsonNode> objects) {
        return objects.stream()
                .filter(o -> "ConfigMap".equals(text(o.get("kind"))) && text(o.path("metadata").get("name")).startsWith("crossmodal-env-"))
                .findFirst().orElseThrow();
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
