package io.crossmodal.k8s;

import static io.crossmodal.k8s.RenderedManifestsTest.find;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cross-object checks catch each kind of inconsistency, introduced one at a time into the real base render. */
class ConsistencyCheckerTest {
    private static List<JsonNode> base;
    private static Set<ConsistencyChecker.Ref> allowlist;

    @BeforeAll
    static void render() throws IOException {
        base = RenderedManifestsTest.rendered("base");
        allowlist = ConsistencyChecker.readAllowlist(RenderedManifestsTest.ROOT.resolve("out-of-band.txt"));
    }

    /** a deep copy of the base render with one object changed */
    private static List<JsonNode> with(String kind, String name, Consumer<ObjectNode> change) {
        List<JsonNode> copy = new ArrayList<>();
        base.forEach(o -> copy.add(o.deepCopy()));
        change.accept((ObjectNode) find(copy, kind, name));
        return copy;
    }

    private static void assertFails(List<JsonNode> objects, String expected) {
        List<String> errors = ConsistencyChecker.check(objects, allowlist);
        assertTrue(errors.stream().anyMatch(e -> e.contains(expected)), "expected '" + expected + "', got " + errors);
    }

    private static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void theBaseIsConsistent() {
        assertEquals(List.of(), ConsistencyChecker.check(base, allowlist));
    }

    @Test
    void serviceSelectorMustMatchADeployment() {
        assertFails(with("Service", "encoder-service", s -> ((ObjectNode) s.path("spec").path("selector"))
                .put("app.kubernetes.io/name", "encoder")), "Service/encoder-service: selector");
        // the trainer API Service without component=api would also pick the training pods
        assertFails(with("Service", "trainer-api", s -> ((ObjectNode) s.path("spec").path("selector"))
                .remove("app.kubernetes.io/component")), "selector also matches the pods of Job/crossmodal-trainer");
        assertFails(with("Service", "decoder-service", s -> ((ObjectNode) s.path("spec").path("ports").get(0))
                .put("targetPort", "http")), "targetPort \"http\" is not declared");
    }

    @Test
    void referencesMustExistOrBeAllowlisted() {
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("envFrom").get(0).path("configMapRef"))
                .put("name", "crossmodal-env")), "references ConfigMap/crossmodal-env, which is neither rendered");
        assertFails(with("Deployment", "trainer-api", d -> ((ObjectNode) d.path("spec").path("template").path("spec").path("volumes").get(0)
                .path("persistentVolumeClaim")).put("claimName", "registry")), "references PersistentVolumeClaim/registry");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) d.path("spec").path("template").path("spec"))
                .put("serviceAccountName", "decoder")), "references ServiceAccount/decoder");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) d.path("spec").path("template").path("spec"))
                .withArray("imagePullSecrets").addObject().put("name", "registry-credentials")), "references Secret/registry-credentials");
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("volumeMounts").get(0))
                .put("name", "models")), "volumeMount models names no volume");
    }

    @Test
    void secretsAreNeverRenderedAndTheAllowlistStaysExact() {
        List<JsonNode> withSecret = new ArrayList<>(base);
        withSecret.add(Kustomize.parse("""
                apiVersion: v1
                kind: Secret
                metadata: {name: crossmodal-trainer-token, namespace: crossmodal}
                stringData: {token: hunter2}
                """).get(0));
        assertFails(withSecret, "Secret/crossmodal-trainer-token: rendered");
        assertFails(withSecret, "listed as out of band but rendered");
        List<String> stale = ConsistencyChecker.check(base, Set.of(new ConsistencyChecker.Ref("Secret", "crossmodal-grpc-tls"),
                new ConsistencyChecker.Ref("Secret", "crossmodal-trainer-token"), new ConsistencyChecker.Ref("Secret", "old-secret")));
        assertEquals(List.of("Secret/old-secret: listed in out-of-band.txt but referenced by no pod (stale entry)"), stale);
    }

    @Test
    void probesMustPointAtDeclaredPorts() {
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("livenessProbe").path("grpc"))
                .put("port", 9102)), "livenessProbe port 9102 is not a declared container port");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) container(d).path("readinessProbe").path("httpGet"))
                .put("port", "http")), "readinessProbe port \"http\" is not a declared container port");
    }

    @Test
    void networkPoliciesMustSelectPodsAndTheirPorts() {
        assertFails(with("NetworkPolicy", "trainer-api-ingress", p -> ((ObjectNode) p.path("spec").path("podSelector").path("matchLabels"))
                .put("app.kubernetes.io/component", "server")), "NetworkPolicy/trainer-api-ingress: spec.podSelector matches no pods");
        assertFails(with("NetworkPolicy", "inference-grpc-ingress", p -> ((ObjectNode) p.path("spec").path("ingress").get(0)
                .path("ports").get(0)).put("port", "metrics")), "ingress port \"metrics\" is declared by none of the selected pods");
        assertFails(with("NetworkPolicy", "inference-grpc-ingress", p -> ((ObjectNode) p.path("spec").path("ingress").get(0)
                .path("from").get(0)).remove("namespaceSelector")), "ingress peer podSelector");
    }

    @Test
    void securityBaselineIsEnforced() {
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("securityContext"))
                .put("readOnlyRootFilesystem", false)), "readOnlyRootFilesystem must be true");
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("securityContext"))
                .put("allowPrivilegeEscalation", true)), "allowPrivilegeEscalation must be false");
        assertFails(with("Deployment", "encoder-service", d -> ((ArrayNode) container(d).path("securityContext").path("capabilities")
                .path("drop")).removeAll()), "capabilities must drop ALL");
        assertFails(with("Deployment", "encoder-service", d -> ((ObjectNode) container(d).path("resources")).remove("limits")),
                "resources.limits.memory is not set");
        assertFails(with("ServiceAccount", "trainer", s -> s.put("automountServiceAccountToken", true)),
                "ServiceAccount/trainer: automountServiceAccountToken must be false");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) d.path("spec").path("template").path("spec"))
                .remove("automountServiceAccountToken")), "automountServiceAccountToken must be false in the pod spec");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) d.path("spec").path("template").path("spec")
                .path("securityContext")).remove("fsGroup")), "volume grpc-tls (defaultMode 0440) is unreadable for the non-root user");
        assertFails(with("Deployment", "decoder-service", d -> ((ObjectNode) d.path("spec")).put("replicas", 3)),
                "spec.replicas is set although a HorizontalPodAutoscaler scales it");
    }
}
