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
 * service's {@code @QuarkusTest} subclass (with {@link TinyRegistryResource}) says how to call it.
 */
public abstract class HttpEndpointsContract {

    @TestHTTPResource("/")
    URL base;

    protected ManagedChannel channel;

    /** Full gRPC service name, e.g. {@code crossmodal.decoder.v1.Decoder}. */
    protected abstract String service();

    /** The other inference service, which this server does not serve. */
    protected abstract String otherService();

    /** The unary inference method, e.g. {@code Decode}. */
    protected abstract String method();

    /** Name of the service's readiness check. */
    protected abstract String readinessCheck();

    /** A valid input of the tiny model, and a second one, and one symbol. */
    protected abstract List<String> word();

    protected abstract List<String> otherWord();

    protected abstract String symbol();

    /** One unary inference call on {@code channel}; throws StatusRuntimeException on failure. */
    protected abstract void infer(ModelRef.Builder model, List<String> tokens);

    protected abstract void modelInfo(ModelRef.Builder model);

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
                .body("checks.name", hasItem(readinessCheck()))
                .body("checks.find { it.name == '" + readinessCheck() + "' }.status", is("UP"))
                .body("checks.find { it.name == '" + readinessCheck() + "' }.data.loaded", containsString("tiny/1"));
    }

    static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    Map<String, String> call(String method, String code, String model, String version) {
        return Map.of("grpc_service", service(), "grpc_method", method, "grpc_code", code, "model", model,
                "model_version", version);
    }

    @Test
    void metricsCountCallsByStatusModelAndVersion() {
        String before = metrics();
        for (int i = 0; i < 3; i++) {
            infer(ModelRef.newBuilder().setName("tiny"), word());
        }
        infer(ModelRef.newBuilder().setName("tiny").setVersion("2"), otherWord());
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> infer(ModelRef.newBuilder().setName("nosuchmodel"), List.of(symbol())));
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> infer(ModelRef.newBuilder().setName("made-up-7"), List.of(symbol())));
        GrpcTesting.fails(Status.Code.INVALID_ARGUMENT, () -> infer(ModelRef.newBuilder().setName("tiny"), List.of()));
        GrpcTesting.fails(Status.Code.FAILED_PRECONDITION, () -> infer(ModelRef.newBuilder().setName("broken"), List.of(symbol())));
        modelInfo(ModelRef.newBuilder().setName("tiny"));
        String after = metrics();

        String requests = "crossmodal_grpc_server_requests_total";
        String failures = "crossmodal_grpc_server_failures_total";
        assertEquals(3, delta(before, after, requests, call(method(), "OK", "tiny", "1")));
        assertEquals(1, delta(before, after, requests, call(method(), "OK", "tiny", "2")));
        assertEquals(1, delta(before, after, requests, call("ModelInfo", "OK", "tiny", "1")));
        // made-up model names are counted under model="unknown" (bounded label values)
        assertEquals(2, delta(before, after, requests, call(method(), "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(2, delta(before, after, failures, call(method(), "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(1, delta(before, after, requests, call(method(), "INVALID_ARGUMENT", "tiny", "unresolved")));
        assertEquals(1, delta(before, after, requests, call(method(), "FAILED_PRECONDITION", "broken", "unresolved")));
        assertEquals(0, delta(before, after, failures, Map.of("grpc_code", "OK")), "OK calls are no failures");
        assertFalse(after.contains("nosuchmodel") || after.contains("made-up-7"), "no label value from a made-up name");

        // the latency histogram
        String latency = "crossmodal_grpc_server_latency_seconds";
        assertEquals(3, delta(before, after, latency + "_count", call(method(), "OK", "tiny", "1")));
        assertTrue(PrometheusText.sum(after, latency + "_sum", call(method(), "OK", "tiny", "1")) > 0);
        List<PrometheusText.Sample> buckets = PrometheusText.find(after, latency + "_bucket", call(method(), "OK", "tiny", "1"));
        assertTrue(buckets.size() >= 10, "histogram buckets: " + buckets);
        assertTrue(buckets.stream().anyMatch(b -> b.labels().get("le").equals("+Inf")), "+Inf bucket");
        assertTrue(after.contains("# TYPE crossmodal_grpc_server_requests counter"), "counter type line");
        assertTrue(after.contains("# TYPE " + latency + " histogram"), "histogram type line");
    }

    @Test
    void grpcHealthAnswersPerServiceName() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService(service()).build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        // a service this server does not serve: Quarkus answers status UNKNOWN (the gRPC health spec says
        // NOT_FOUND); either way not SERVING, which is what a Kubernetes grpc probe checks
        assertEquals(HealthCheckResponse.ServingStatus.UNKNOWN,
                health.check(HealthCheckRequest.newBuilder().setService(otherService()).build()).getStatus());
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
        assertTrue(services.contains(service()) && services.contains("grpc.health.v1.Health"), services.toString());
    }

    static double delta(String before, String after, String name, Map<String, String> labels) {
        return PrometheusText.sum(after, name, labels) - PrometheusText.sum(before, name, labels);
    }
}
