package io.crossmodal.serving.common.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side of an inference service (REST Assured): liveness, readiness, Prometheus metrics after
 * gRPC calls; and grpc.health.v1 per service name and gRPC server reflection on the same port. Each
 * service's {@code @QuarkusTest} subclass (with {@link TinyRegistryResource}) passes its {@link ServiceSpec}.
 */
public abstract class HttpEndpointsContract {

    @TestHTTPResource("/")
    URL base;

    protected ManagedChannel channel;
    private final ServiceSpec spec;

    protected HttpEndpointsContract(ServiceSpec spec) {
        this.spec = spec;
    }

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void readinessIsUpWithTheConfiguredModelLoaded() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItem(spec.readinessCheck()))
                .body("checks.find { it.name == '" + spec.readinessCheck() + "' }.status", is("UP"))
                .body("checks.find { it.name == '" + spec.readinessCheck() + "' }.data.loaded", containsString("tiny/1"));
    }

    static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    Map<String, String> call(String method, String code, String model, String version) {
        return Map.of("grpc_service", spec.service(), "grpc_method", method, "grpc_code", code, "model", model,
                "model_version", version);
    }

    @Test
    void metricsCountCallsByStatusModelAndVersion() {
        String before = metrics();
        for (int i = 0; i < 3; i++) {
            spec.infer(channel, ModelRef.newBuilder().setName("tiny"), spec.word());
        }
        spec.infer(channel, ModelRef.newBuilder().setName("tiny").setVersion("2"), spec.otherWord());
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> spec.infer(channel, ModelRef.newBuilder().setName("nosuchmodel"), List.of(spec.symbol())));
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> spec.infer(channel, ModelRef.newBuilder().setName("made-up-7"), List.of(spec.symbol())));
        GrpcTesting.fails(Status.Code.INVALID_ARGUMENT, () -> spec.infer(channel, ModelRef.newBuilder().setName("tiny"), List.of()));
        GrpcTesting.fails(Status.Code.FAILED_PRECONDITION, () -> spec.infer(channel, ModelRef.newBuilder().setName("broken"), List.of(spec.symbol())));
        spec.modelInfo(channel, ModelRef.newBuilder().setName("tiny"));
        String after = metrics();

        String requests = "crossmodal_grpc_server_requests_total";
        String failures = "crossmodal_grpc_server_failures_total";
        assertEquals(3, delta(before, after, requests, call(spec.method(), "OK", "tiny", "1")));
        assertEquals(1, delta(before, after, requests, call(spec.method(), "OK", "tiny", "2")));
        assertEquals(1, delta(before, after, requests, call("ModelInfo", "OK", "tiny", "1")));
        // made-up model names are counted under model="unknown" (bounded label values)
        assertEquals(2, delta(before, after, requests, call(spec.method(), "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(2, delta(before, after, failures, call(spec.method(), "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(1, delta(before, after, requests, call(spec.method(), "INVALID_ARGUMENT", "tiny", "unresolved")));
        assertEquals(1, delta(before, after, requests, call(spec.method(), "FAILED_PRECONDITION", "broken", "unresolved")));
        assertEquals(0, delta(before, after, failures, Map.of("grpc_code", "OK")), "OK calls are no failures");
        assertFalse(after.contains("nosuchmodel") || after.contains("made-up-7"), "no label value from a made-up name");

        // the latency histogram
        String latency = "crossmodal_grpc_server_latency_seconds";
        assertEquals(3, delta(before, after, latency + "_count", call(spec.method(), "OK", "tiny", "1")));
        assertTrue(PrometheusText.sum(after, latency + "_sum", call(spec.method(), "OK", "tiny", "1")) > 0);
        List<PrometheusText.Sample> buckets = PrometheusText.find(after, latency + "_bucket", call(spec.method(), "OK", "tiny", "1"));
        assertTrue(buckets.size() >= 10, "histogram buckets: " + buckets);
        assertTrue(buckets.stream().anyMatch(b -> b.labels().get("le").equals("+Inf")), "+Inf bucket");
        assertTrue(after.contains("# TYPE crossmodal_grpc_server_requests counter"), "counter type line");
        assertTrue(after.contains("# TYPE " + latency + " histogram"), "histogram type line");
    }

    @Test
    void grpcHealthAnswersPerServiceName() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService(spec.service()).build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        // a service this server does not serve: Quarkus answers status UNKNOWN (the gRPC health spec says
        // NOT_FOUND); either way not SERVING, which is what a Kubernetes grpc probe checks
        assertEquals(HealthCheckResponse.ServingStatus.UNKNOWN,
                health.check(HealthCheckRequest.newBuilder().setService(spec.otherService()).build()).getStatus());
    }

    @Test
    void reflectionListsTheServices() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList();
        requests.onCompleted();
        assertTrue(services.contains(spec.service()) && services.contains("grpc.health.v1.Health"), services.toString());
    }

    static double delta(String before, String after, String name, Map<String, String> labels) {
        return PrometheusText.sum(after, name, labels) - PrometheusText.sum(before, name, labels);
    }
}
