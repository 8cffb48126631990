package io.crossmodal.encoder;

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
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.PrometheusText;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side of the Encoder (REST Assured): liveness, readiness, Prometheus metrics after gRPC calls; and
 * grpc.health.v1 per service name and gRPC server reflection on the same port.
 */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderHttpEndpointsTest {

    static final String SERVICE = "crossmodal.encoder.v1.Encoder";

    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    EncoderGrpc.EncoderBlockingStub encoder;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    static EncodeRequest request(ModelRef.Builder model, String... phonemes) {
        return EncodeRequest.newBuilder().setModel(model).setTokens(TokenSequence.newBuilder().addAllTokens(List.of(phonemes)))
                .build();
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void readinessIsUpWithTheConfiguredModelLoaded() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItem("crossmodal-encoder-models"))
                .body("checks.find { it.name == 'crossmodal-encoder-models' }.status", is("UP"))
                .body("checks.find { it.name == 'crossmodal-encoder-models' }.data.loaded", containsString("tiny/1"));
    }

    static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    static Map<String, String> call(String method, String code, String model, String version) {
        return Map.of("grpc_service", SERVICE, "grpc_method", method, "grpc_code", code, "model", model,
                "model_version", version);
    }

    @Test
    void metricsCountCallsByStatusModelAndVersion() {
        String before = metrics();
        for (int i = 0; i < 3; i++) {
            encoder.encode(request(ModelRef.newBuilder().setName("tiny"), "K", "AE", "T"));
        }
        encoder.encode(request(ModelRef.newBuilder().setName("tiny").setVersion("2"), "S", "EH"));
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> encoder.encode(request(ModelRef.newBuilder().setName("nosuchmodel"), "K")));
        GrpcTesting.fails(Status.Code.NOT_FOUND, () -> encoder.encode(request(ModelRef.newBuilder().setName("made-up-7"), "K")));
        GrpcTesting.fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request(ModelRef.newBuilder().setName("tiny"))));
        GrpcTesting.fails(Status.Code.FAILED_PRECONDITION, () -> encoder.encode(request(ModelRef.newBuilder().setName("broken"), "K")));
        encoder.modelInfo(ModelInfoRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build());
        String after = metrics();

        String requests = "crossmodal_grpc_server_requests_total";
        String failures = "crossmodal_grpc_server_failures_total";
        assertEquals(3, delta(before, after, requests, call("Encode", "OK", "tiny", "1")));
        assertEquals(1, delta(before, after, requests, call("Encode", "OK", "tiny", "2")));
        assertEquals(1, delta(before, after, requests, call("ModelInfo", "OK", "tiny", "1")));
        // made-up model names are counted under model="unknown" (bounded label values)
        assertEquals(2, delta(before, after, requests, call("Encode", "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(2, delta(before, after, failures, call("Encode", "NOT_FOUND", "unknown", "unresolved")));
        assertEquals(1, delta(before, after, requests, call("Encode", "INVALID_ARGUMENT", "tiny", "unresolved")));
        assertEquals(1, delta(before, after, requests, call("Encode", "FAILED_PRECONDITION", "broken", "unresolved")));
        assertEquals(0, delta(before, after, failures, Map.of("grpc_code", "OK")), "OK calls are no failures");
        assertFalse(after.contains("nosuchmodel") || after.contains("made-up-7"), "no label value from a made-up name");

        // the latency histogram
        String latency = "crossmodal_grpc_server_latency_seconds";
        assertEquals(3, delta(before, after, latency + "_count", call("Encode", "OK", "tiny", "1")));
        assertTrue(PrometheusText.sum(after, latency + "_sum", call("Encode", "OK", "tiny", "1")) > 0);
        List<PrometheusText.Sample> buckets = PrometheusText.find(after, latency + "_bucket", call("Encode", "OK", "tiny", "1"));
        assertTrue(buckets.size() >= 10, "histogram buckets: " + buckets);
        assertTrue(buckets.stream().anyMatch(b -> b.labels().get("le").equals("+Inf")), "+Inf bucket");
        assertTrue(after.contains("# TYPE crossmodal_grpc_server_requests counter"), "counter type line");
        assertTrue(after.contains("# TYPE " + latency + " histogram"), "histogram type line");
    }

    @Test
    void grpcHealthAnswersPerServiceName() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService(SERVICE).build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        // a service this server does not serve: Quarkus answers status UNKNOWN (the gRPC health spec says
        // NOT_FOUND); either way not SERVING, which is what a Kubernetes grpc probe checks
        assertEquals(HealthCheckResponse.ServingStatus.UNKNOWN,
                health.check(HealthCheckRequest.newBuilder().setService("crossmodal.decoder.v1.Decoder").build()).getStatus());
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
        assertTrue(services.contains(SERVICE) && services.contains("grpc.health.v1.Health"), services.toString());
    }

    static double delta(String before, String after, String name, Map<String, String> labels) {
        return PrometheusText.sum(after, name, labels) - PrometheusText.sum(before, name, labels);
    }
}
