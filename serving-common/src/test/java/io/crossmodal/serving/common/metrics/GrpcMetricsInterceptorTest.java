package io.crossmodal.serving.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ModelVersion;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metrics interceptor on an in-process gRPC server with a fake Encoder, without Quarkus. */
class GrpcMetricsInterceptorTest {

    static final String SERVICE = "crossmodal.encoder.v1.Encoder";

    MeterRegistry registry;
    ServingMetrics metrics;
    Server server;
    ManagedChannel channel;
    EncoderGrpc.EncoderBlockingStub stub;
    final CountDownLatch release = new CountDownLatch(1);
    /** Counted down once the service method of a "wait" request has returned (answered, or found it cancelled). */
    final CountDownLatch waitedOne = new CountDownLatch(1);

    /**
     * Models "tiny" (versions 1, 2; default 1) and "broken" (in the registry, never loads). Token "boom"
     * fails after resolving (reported through CallModel), token "wait" blocks until released.
     */
    class FakeEncoder extends EncoderGrpc.EncoderImplBase {
        @Override
        public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
            String name = request.getModel().getName();
            if (name.isEmpty()) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription("model.name is required").asRuntimeException());
                return;
            }
            if (name.equals("broken")) {
                responses.onError(Status.FAILED_PRECONDITION.asRuntimeException());
                return;
            }
            String version = request.getModel().hasVersion() ? request.getModel().getVersion() : "1";
            if (!name.equals("tiny") || !Set.of("1", "2").contains(version)) {
                responses.onError(Status.NOT_FOUND.asRuntimeException());
                return;
            }
            List<String> tokens = request.getTokens().getTokensList();
            if (tokens.contains("boom")) {
                CallModel.resolved(name, Integer.parseInt(version));
                responses.onError(Status.INVALID_ARGUMENT.withDescription("unknown symbol").asRuntimeException());
                return;
            }
            if (tokens.contains("wait")) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                    responses.onNext(EncodeResponse.newBuilder().setModelName(name).setModelVersion(version).build());
                    responses.onCompleted();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waitedOne.countDown();
                }
                return;
            }
            responses.onNext(EncodeResponse.newBuilder().setModelName(name).setModelVersion(version).build());
            responses.onCompleted();
        }

        @Override
        public void modelInfo(ModelInfoRequest request, StreamObserver<ModelInfoResponse> responses) {
            responses.onNext(ModelInfoResponse.newBuilder()
                    .setResolved(ModelVersion.newBuilder().setName("tiny").setVersion("2")).build());
            responses.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        registry = new SimpleMeterRegistry();
        metrics = new ServingMetrics(registry,
                new ModelLabels(() -> List.of("tiny", "broken"), List.of(), 100, Duration.ofSeconds(10)));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).executor(java.util.concurrent.Executors.newFixedThreadPool(4))
                .addService(ServerInterceptors.intercept(new FakeEncoder(), new GrpcMetricsInterceptor(metrics)))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        stub = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static EncodeRequest encode(ModelRef.Builder model, String... tokens) {
        return EncodeRequest.newBuilder().setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(tokens))).build();
    }

    double requests(String method, String code, String model, String version) {
        Counter c = registry.find(ServingMetrics.REQUESTS).tag(ServingMetrics.TAG_SERVICE, SERVICE)
                .tag(ServingMetrics.TAG_METHOD, method).tag(ServingMetrics.TAG_CODE, code)
                .tag(ServingMetrics.TAG_MODEL, model).tag(ServingMetrics.TAG_VERSION, version).counter();
        return c == null ? 0 : c.count();
    }

    double failures(String code, String model, String version) {
        Counter c = registry.find(ServingMetrics.FAILURES).tag(ServingMetrics.TAG_CODE, code)
                .tag(ServingMetrics.TAG_MODEL, model).tag(ServingMetrics.TAG_VERSION, version).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void countsAndTimesCallsByCodeModelAndVersion() {
        stub.encode(encode(ModelRef.newBuilder().setName("tiny"), "a"));
        stub.encode(encode(ModelRef.newBuilder().setName("tiny"), "a"));
        stub.encode(encode(ModelRef.newBuilder().setName("tiny").setVersion("2"), "a"));
        assertEquals(2, requests("Encode", "OK", "tiny", "1"));
        assertEquals(1, requests("Encode", "OK", "tiny", "2"));
        assertEquals(0, failures("OK", "tiny", "1"), "OK calls are no failures");
        Timer latency = registry.find(ServingMetrics.LATENCY).tag(ServingMetrics.TAG_METHOD, "Encode")
                .tag(ServingMetrics.TAG_MODEL, "tiny").tag(ServingMetrics.TAG_VERSION, "1").timer();
        assertNotNull(latency);
        assertEquals(2, latency.count());
        assertTrue(latency.totalTime(TimeUnit.NANOSECONDS) > 0);
        // histogram buckets for Prometheus
        assertEquals(ServingMetrics.LATENCY_BUCKETS.length, latency.takeSnapshot().histogramCounts().length);

        stub.modelInfo(ModelInfoRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build());
        assertEquals(1, requests("ModelInfo", "OK", "tiny", "2"), "ModelInfoResponse.resolved");
    }

    @Test
    void failuresAreTaggedWithBoundedModelLabels() {
        assertThrows(StatusRuntimeException.class, () -> stub.encode(encode(ModelRef.newBuilder(), "a")));
        assertEquals(1, requests("Encode", "INVALID_ARGUMENT", "none", "none"));

        // made-up names never become label values
        for (int i = 0; i < 50; i++) {
            String name = "nosuch" + i;
            assertThrows(StatusRuntimeException.class, () -> stub.encode(encode(ModelRef.newBuilder().setName(name), "a")));
        }
        assertEquals(50, requests("Encode", "NOT_FOUND", "unknown", "unresolved"));
        assertEquals(50, failures("NOT_FOUND", "unknown", "unresolved"));

        // a model of the registry keeps its name; a version never resolved is "unresolved"
        assertThrows(StatusRuntimeException.class, () -> stub.encode(encode(ModelRef.newBuilder().setName("broken"), "a")));
        assertEquals(1, requests("Encode", "FAILED_PRECONDITION", "broken", "unresolved"));
        assertThrows(StatusRuntimeException.class,
                () -> stub.encode(encode(ModelRef.newBuilder().setName("tiny").setVersion("77"), "a")));
        assertEquals(1, requests("Encode", "NOT_FOUND", "tiny", "unresolved"));

        // what the service reports through CallModel before failing
        assertThrows(StatusRuntimeException.class,
                () -> stub.encode(encode(ModelRef.newBuilder().setName("tiny").setVersion("2"), "boom")));
        assertEquals(1, requests("Encode", "INVALID_ARGUMENT", "tiny", "2"));
        assertEquals(1, failures("INVALID_ARGUMENT", "tiny", "2"));
    }

    @Test
    void cancelledCallsCountOnce() throws Exception {
        EncoderGrpc.EncoderBlockingStub impatient = EncoderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(200, TimeUnit.MILLISECONDS);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> impatient.encode(encode(ModelRef.newBuilder().setName("tiny"), "wait")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (cancelled() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, cancelled(), "counted while the service method still runs");
        release.countDown();
        // the late answer is given (or refused as cancelled) inside the service method: once it has returned,
        // whatever the interceptor would count for it has been counted (a latch, not a sleep)
        assertTrue(waitedOne.await(60, TimeUnit.SECONDS), "the waiting service method returned");
        stub.encode(encode(ModelRef.newBuilder().setName("tiny"), "a"));
        double total = registry.find(ServingMetrics.REQUESTS).counters().stream().mapToDouble(Counter::count).sum();
        assertEquals(2, total, "the cancelled call is not counted again when the service answers late");
    }

    /** The server sees the client's deadline pass, or the client's cancellation first. */
    double cancelled() {
        return requests("Encode", "DEADLINE_EXCEEDED", "tiny", "unresolved") + requests("Encode", "CANCELLED", "tiny", "unresolved");
    }

    @Test
    void modelLabelsStayWithinBudget() {
        AtomicInteger listings = new AtomicInteger();
        AtomicLong now = new AtomicLong();
        ModelLabels labels = new ModelLabels(() -> {
            listings.incrementAndGet();
            return List.of("a", "b", "c");
        }, List.of("configured"), 3, Duration.ofSeconds(10), now::get);
        assertEquals(new ModelLabels.Tags("configured", "unresolved"), labels.requested("configured", "1"));
        assertEquals(new ModelLabels.Tags("unknown", "unresolved"), labels.requested("zzz", "1"));
        assertEquals(new ModelLabels.Tags("unknown", "unresolved"), labels.requested("yyy", null));
        assertEquals(1, listings.get(), "the registry listing is cached");
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        labels.requested("xxx", null);
        assertEquals(2, listings.get(), "and refreshed after the interval");
        assertEquals(new ModelLabels.Tags("a", "3"), labels.resolved("a", "3"));
        assertEquals(new ModelLabels.Tags("a", "3"), labels.requested("a", "3"), "a resolved version is kept");
        assertEquals(new ModelLabels.Tags("b", "unresolved"), labels.requested("b", "3"));
        // budget of 3 names: configured, a, b
        assertEquals(new ModelLabels.Tags("other", "other"), labels.resolved("c", "1"));
        assertEquals(new ModelLabels.Tags("none", "none"), labels.requested("", null));
        assertEquals(List.of("a", "b", "configured"), labels.models().stream().sorted().toList());
    }

    @Test
    void batchingMetricsForTheInferencePath() throws Exception {
        metrics.recordQueueTime("tiny", "1", 2_000_000);
        metrics.recordQueueTime(new io.crossmodal.runtime.cache.ModelKey("tiny", 1), 4_000_000);
        metrics.recordBatch("tiny", "1", 8, 30_000_000);
        Timer queue = registry.find(ServingMetrics.QUEUE_TIME).tag("model", "tiny").tag("model_version", "1").timer();
        assertEquals(2, queue.count());
        assertEquals(6, queue.totalTime(TimeUnit.MILLISECONDS), 1e-6);
        assertEquals(8, registry.find(ServingMetrics.BATCH_SIZE).summary().totalAmount(), 1e-9);
        assertEquals(30, registry.find(ServingMetrics.COMPUTE_TIME).timer().totalTime(TimeUnit.MILLISECONDS), 1e-6);

        AtomicInteger depth = new AtomicInteger(3);
        AutoCloseable first = metrics.queueDepth("tiny", depth::get);
        Gauge gauge = registry.find(ServingMetrics.QUEUE_DEPTH).tag("model", "tiny").gauge();
        assertEquals(3, gauge.value());
        depth.set(5);
        assertEquals(5, gauge.value());
        AutoCloseable second = metrics.queueDepth("tiny", () -> 7);
        assertEquals(7, registry.find(ServingMetrics.QUEUE_DEPTH).tag("model", "tiny").gauge().value(), "replaced");
        first.close();
        assertEquals(7, registry.find(ServingMetrics.QUEUE_DEPTH).tag("model", "tiny").gauge().value(),
                "closing a replaced registration leaves the new one");
        second.close();
        assertNull(registry.find(ServingMetrics.QUEUE_DEPTH).gauge());
    }
}
