package io.crossmodal.serving.common.metrics;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.serving.common.ServingConfig;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's own meters (Micrometer; Prometheus text format at {@code /q/metrics}). Per call, recorded by
 * {@link GrpcMetricsInterceptor} for every gRPC method:
 * <ul>
 *   <li>{@value #REQUESTS} (counter {@code crossmodal_grpc_server_requests_total}) and {@value #FAILURES}
 *       (counter of the non-OK calls, {@code crossmodal_grpc_server_failures_total}), tags
 *       {@code grpc_service}, {@code grpc_method}, {@code grpc_code}, {@code model}, {@code model_version};</li>
 *   <li>{@value #LATENCY} (timer with histogram buckets, {@code crossmodal_grpc_server_latency_seconds_bucket
 *       / _count / _sum / _max}): first request byte handled to status sent, same tags.</li>
 * </ul>
 * For the inference path (queueing, batching), tags {@code model}, {@code model_version} (the gauge only
 * {@code model}), fed by whoever runs the batches: {@link #recordQueueTime}, {@link #recordBatch},
 * {@link #queueDepth}:
 * <ul>
 *   <li>{@value #QUEUE_TIME} (timer, {@code crossmodal_inference_queue_seconds_*}): enqueue to batch start;</li>
 *   <li>{@value #COMPUTE_TIME} (timer, {@code crossmodal_inference_compute_seconds_*}): one batch's inference;</li>
 *   <li>{@value #BATCH_SIZE} (summary with buckets, {@code crossmodal_inference_batch_size_requests_*}): requests
 *       per batch;</li>
 *   <li>{@value #QUEUE_DEPTH} (gauge, {@code crossmodal_inference_queue_depth}): requests waiting now.</li>
 * </ul>
 * The {@code model} / {@code model_version} values of calls are bounded ({@link ModelLabels}): a name a caller
 * made up is {@value ModelLabels#UNKNOWN}, an unresolved version {@value ModelLabels#UNRESOLVED}.
 */
@ApplicationScoped
public class ServingMetrics {

    public static final String REQUESTS = "crossmodal.grpc.server.requests";
    public static final String FAILURES = "crossmodal.grpc.server.failures";
    public static final String LATENCY = "crossmodal.grpc.server.latency";
    public static final String QUEUE_TIME = "crossmodal.inference.queue";
    public static final String COMPUTE_TIME = "crossmodal.inference.compute";
    public static final String BATCH_SIZE = "crossmodal.inference.batch.size";
    public static final String QUEUE_DEPTH = "crossmodal.inference.queue.depth";

    public static final String TAG_SERVICE = "grpc_service";
    public static final String TAG_METHOD = "grpc_method";
    public static final String TAG_CODE = "grpc_code";
    public static final String TAG_MODEL = "model";
    public static final String TAG_VERSION = "model_version";

    /** Latency histogram buckets: 1 ms to 30 s. */
    static final Duration[] LATENCY_BUCKETS = durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000);
    /** Queue-time buckets: 0.1 ms to 5 s. */
    static final Duration[] QUEUE_BUCKETS = durations(0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000);
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final MeterRegistry registry;
    private final ModelLabels labels;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    // The meters of each tag combination, looked up once: a Micrometer builder's register() hashes the whole id on
    // every call, which was a tenth of the batch thread's Java time at concurrency 1 (JFR, docs/BENCHMARKS.md 4.3).
    // Bounded like the tags themselves (ModelLabels, status codes, the services' methods).
    private final Map<CallKey, CallMeters> callMeters = new ConcurrentHashMap<>();
    private final Map<ModelLabels.Tags, Timer> queueTimers = new ConcurrentHashMap<>();
    private final Map<ModelLabels.Tags, BatchMeters> batchMeters = new ConcurrentHashMap<>();

    private record CallKey(String service, String method, Status.Code code, ModelLabels.Tags model) {
    }

    private record CallMeters(Counter requests, Counter failures, Timer latency) {
    }

    private record BatchMeters(DistributionSummary size, Timer compute) {
    }

    @Inject
    public ServingMetrics(MeterRegistry registry, ServingConfig config, MetricsConfig metricsConfig) {
        this(registry, labelsFor(Path.of(config.registry().dir()).toAbsolutePath().normalize(),
                config.models().orElse(List.of()), metricsConfig.maxModelLabels()));
    }

    /** Without CDI (tests): meters into {@code registry}, tag values bounded by {@code labels}. */
    public ServingMetrics(MeterRegistry registry, ModelLabels labels) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.labels = Objects.requireNonNull(labels, "labels");
    }

    /** Model labels over the registry at {@code root} and the configured model specs ({@code name}, {@code name/3}, {@code name@alias}). */
    public static ModelLabels labelsFor(Path root, Collection<String> configuredSpecs, int maxModelLabels) {
        ModelRegistry modelRegistry = new ModelRegistry(root);
        List<String> names = new ArrayList<>();
        for (String spec : configuredSpecs) {
            String s = spec.trim();
            int cut = s.length();
            for (char c : new char[] {'/', '@'}) {
                int i = s.indexOf(c);
                if (i >= 0) {
                    cut = Math.min(cut, i);
                }
            }
            if (cut > 0) {
                names.add(s.substring(0, cut));
            }
        }
        return new ModelLabels(modelRegistry::listModels, names, maxModelLabels, Duration.ofSeconds(10));
    }

    public MeterRegistry registry() {
        return registry;
    }

    public ModelLabels labels() {
        return labels;
    }

    /** One finished gRPC call (the interceptor calls this once per call). */
    public void recordCall(String service, String method, Status.Code code, ModelLabels.Tags model, long nanos) {
        CallMeters m = callMeters.computeIfAbsent(new CallKey(service, method, code, model), k -> {
            Tags tags = Tags.of(TAG_SERVICE, k.service(), TAG_METHOD, k.method(), TAG_CODE, k.code().name(),
                    TAG_MODEL, k.model().model(), TAG_VERSION, k.model().version());
            return new CallMeters(
                    Counter.builder(REQUESTS).description("gRPC calls handled, by status code").tags(tags).register(registry),
                    k.code() == Status.Code.OK ? null : Counter.builder(FAILURES)
                            .description("gRPC calls answered with a non-OK status").tags(tags).register(registry),
                    Timer.builder(LATENCY).description("gRPC call latency, request received to status sent").tags(tags)
                            .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
        });
        m.requests().increment();
        if (m.failures() != null) {
            m.failures().increment();
        }
        m.latency().record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time one request of {@code model}/{@code version} waited in a queue before its batch started. */
    public void recordQueueTime(String model, String version, long nanos) {
        queueTimers.computeIfAbsent(labels.resolved(model, version), t -> Timer.builder(QUEUE_TIME)
                .description("time a request waited before its inference batch started").tags(modelTags(t))
                .serviceLevelObjectives(QUEUE_BUCKETS).register(registry))
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    public void recordQueueTime(ModelKey key, long nanos) {
        recordQueueTime(key.model(), Integer.toString(key.version()), nanos);
    }

    /** One inference batch of {@code size} requests that took {@code computeNanos}. */
    public void recordBatch(String model, String version, int size, long computeNanos) {
        BatchMeters m = batchMeters.computeIfAbsent(labels.resolved(model, version), t -> {
            Tags tags = modelTags(t);
            return new BatchMeters(DistributionSummary.builder(BATCH_SIZE).description("requests per inference batch")
                    .baseUnit("requests").tags(tags).serviceLevelObjectives(BATCH_BUCKETS).register(registry),
                    Timer.builder(COMPUTE_TIME).description("inference time of one batch").tags(tags)
                            .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
        });
        m.size().record(size);
        m.compute().record(Math.max(0, computeNanos), TimeUnit.NANOSECONDS);
    }

    public void recordBatch(ModelKey key, int size, long computeNanos) {
        recordBatch(key.model(), Integer.toString(key.version()), size, computeNanos);
    }

    /**
     * Publishes the number of requests waiting for {@code model}, read from {@code depth} at each scrape. A
     * second call for the same model replaces the first; closing the returned handle removes the gauge
     * (e.g. when the model's queue goes away on reload).
     */
    public AutoCloseable queueDepth(String model, Supplier<? extends Number> depth) {
        Objects.requireNonNull(depth, "depth");
        String m = labels.resolved(model, null).model();
        Gauge gauge = gauges.compute(m, (k, old) -> {
            if (old != null) {
                registry.remove(old);
            }
            return Gauge.builder(QUEUE_DEPTH, () -> depth.get()).description("requests waiting for inference")
                    .tag(TAG_MODEL, k).strongReference(true).register(registry);
        });
        return () -> gauges.computeIfPresent(m, (k, current) -> {
            if (current != gauge) {
                return current;
            }
            registry.remove(current);
            return null;
        });
    }

    private static Tags modelTags(ModelLabels.Tags t) {
        return Tags.of(TAG_MODEL, t.model(), TAG_VERSION, t.version());
    }

    private static Duration[] durations(double... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofNanos(Math.round(millis[i] * 1_000_000));
        }
        return out;
    }
}
