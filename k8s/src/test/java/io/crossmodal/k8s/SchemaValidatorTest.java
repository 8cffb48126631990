package io.crossmodal.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator fails where the API server's strict validation would: each broken object names its problem. */
class SchemaValidatorTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
              labels: {app: demo}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  nodeSelector:
                    nvidia.com/gpu.present: "true"
                  containers:
                    - name: server
                      image: demo:1
                      args: ["--port", "9101"]
                      ports:
                        - {name: grpc, containerPort: 9101}
                      readinessProbe:
                        httpGet: {path: /q/health/ready, port: grpc}
                      livenessProbe:
                        grpc: {port: 9101}
                      resources:
                        limits: {cpu: "2", memory: 2Gi, nvidia.com/gpu: 1}
                        requests: {cpu: 500m, memory: 1Gi}
            """;

    private static List<String> errors(String yaml) {
        List<JsonNode> docs = Kustomize.parse(yaml);
        assertEquals(1, docs.size());
        return SchemaValidator.validate(docs.get(0));
    }

    private static void assertFails(String yaml, String... expected) {
        List<String> errors = errors(yaml);
        for (String e : expected) {
            assertTrue(errors.stream().anyMatch(s -> s.contains(e)), "expected an error containing '" + e + "', got " + errors);
        }
    }

    @Test
    void aValidDeploymentPasses() {
        assertEquals(List.of(), errors(DEPLOYMENT));
    }

    @Test
    void unknownFieldsFailAtAnyDepth() {
        assertFails(DEPLOYMENT.replace("  replicas: 2", "  replica: 2"),
                "Deployment/demo: spec.replica: unknown field (not in V1DeploymentSpec)");
        assertFails(DEPLOYMENT.replace("      image: demo:1", "      image: demo:1\n          imagePullPolicyy: Always"),
                "spec.template.spec.containers[0].imagePullPolicyy: unknown field (not in V1Container)");
        assertFails(DEPLOYMENT.replace("grpc: {port: 9101}", "grpc: {port: 9101, path: /health}"),
                "livenessProbe.grpc.path: unknown field");
        assertFails(DEPLOYMENT.replace("kind: Deployment", "kind: Deployment\nstatus2: {}"), "status2: unknown field");
    }

    @Test
    void wrongTypesFail() {
        assertFails(DEPLOYMENT.replace("replicas: 2", "replicas: \"2\""), "spec.replicas: expected an integer, got string");
        assertFails(DEPLOYMENT.replace("containerPort: 9101", "containerPort: 9101.5"), "containerPort: expected an integer");
        assertFails(DEPLOYMENT.replace("nvidia.com/gpu.present: \"true\"", "nvidia.com/gpu.present: true"),
                "nodeSelector[nvidia.com/gpu.present]: expected a string, got boolean");
        assertFails(DEPLOYMENT.replace("args: [\"--port\", \"9101\"]", "args: \"--port 9101\""), "args: expected an array, got string");
        assertFails(DEPLOYMENT.replace("args: [\"--port\", \"9101\"]", "args: [\"--port\", 9101]"), "args[1]: expected a string, got integer");
        assertFails(DEPLOYMENT.replace("memory: 2Gi", "memory: two-gigs"), "limits[memory]: expected a quantity");
        assertFails(DEPLOYMENT.replace("port: grpc}", "port: [grpc]}"), "httpGet.port: expected an integer or a string, got array");
        assertFails(DEPLOYMENT.replace("  selector:\n    matchLabels: {app: demo}", "  selector: app=demo"),
                "spec.selector: expected an object (V1LabelSelector), got string");
    }

    @Test
    void missingRequiredFieldsFail() {
        assertFails(DEPLOYMENT.replace("          image: demo:1\n", ""),
                "spec.template.spec.containers[0].image: missing required field");
        assertFails(DEPLOYMENT.replace("  selector:\n    matchLabels: {app: demo}\n", ""), "spec.selector: missing required field");
        assertFails(DEPLOYMENT.replace("grpc: {port: 9101}", "grpc: {service: x}"), "livenessProbe.grpc.port: missing required field");
        assertFails(DEPLOYMENT.replace("  name: demo\n", ""), "metadata.name: missing required field");
        assertFails("""
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec:
                  ports: [{name: grpc, targetPort: 9101}]
                """, "Service/s: spec.ports[0].port: missing required field");
    }

    @Test
    void objectsWithoutASchemaFail() {
        assertFails(DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: v1"), "no schema for apiVersion 'v1' kind 'Deployment'");
        assertFails(DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: apps/v1beta1"), "no schema");
        assertFails("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: h}
                spec: {maxReplicas: 2, scaleTargetRef: {kind: Deployment, name: d}}
                """, "no schema for apiVersion 'autoscaling/v1'");
    }

    @Test
    void otherKindsAreCheckedToo() {
        String hpa = """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: h}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
                  minReplicas: 2
                  maxReplicas: 8
                  metrics:
                    - type: Resource
                      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
                """;
        assertEquals(List.of(), errors(hpa));
        // autoscaling/v1's field in a v2 object
        assertFails(hpa.replace("  minReplicas: 2", "  targetCPUUtilizationPercentage: 70"), "spec.targetCPUUtilizationPercentage: unknown field");
        assertFails(hpa.replace("  maxReplicas: 8\n", ""), "spec.maxReplicas: missing required field");
        String policy = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p}
                spec:
                  podSelector: {matchLabels: {app: demo}}
                  ingress:
                    - from: [{namespaceSelector: {}}]
                      ports: [{protocol: TCP, port: grpc}]
                """;
        assertEquals(List.of(), errors(policy));
        assertFails(policy.replace("from:", "form:"), "spec.ingress[0].form: unknown field");
    }
}
