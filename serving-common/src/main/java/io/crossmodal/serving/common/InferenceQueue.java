package io.crossmodal.serving.common;

import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.onnx.OrtRunControl;
import io.crossmodal.serving.common.batching.BatchSettings;
import io.crossmodal.serving.common.batching.BatchStats;
import io.crossmodal.serving.common.batching.Batcher;
import io.crossmodal.serving.common.metrics.CallModel;
import io.crossmodal.serving.common.metrics.ServingMetrics;
import com.google.protobuf.Message;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The service's requests, dynamically batched, for any model family: a request's model is resolved
 * and leased, and the request is checked and converted by the model's family on the calling (worker)
 * thread ({@link ServedModel#admit}), then queued in its model's lane of a {@link Batcher}; requests
 * for the same model version with equal {@link ServedModel#batchKey}s run as one batch
 * ({@link ServedModel#run}), and each result is written into its response by the family
 * ({@link ServedModel#respond}) before the lease is released.
 *
 * <p>Each queued request holds its lease on the model version it was admitted for, so a hot reload
 * that switches versions meanwhile lets it finish on the old one. Batch runs use an
 * {@link OrtRunControl}, so a batch whose requests have all gone away (cancelled, expired) terminates
 * its ONNX Runtime run.
 *
 * <p>Batching settings of a model: the service's per-model override, else the bundle's serving
 * settings ({@link io.crossmodal.runtime.bundle.ServingSpec}), else the service's defaults
 * ({@link BatchSettings#of}); they are fixed when the model's lane starts (the first request).
 *
 * <p>Every admitted request is costed by its family ({@link ServedModel#cost}) against the
 * {@link ComputeBudget}: over the budget it is INVALID_ARGUMENT, above the heavy threshold it runs in its
 * model's heavy lane, so expensive requests never hold up cheap ones.
 *
 * <p>Counters are kept in the {@link BatchStats} bean; when the service has {@link ServingMetrics},
 * queue depth, queue time, batch size and batch compute time also go to its Micrometer meters.
 */
@ApplicationScoped
public class InferenceQueue {

    private static final Logger LOG = Logger.getLogger(InferenceQueue.class);

    /** A queued request: its result (completes on a batching thread) and how to cancel it. */
    public record Pending(CompletableFuture<ServingCalls.Served> result, Runnable canceller) {

        /** The caller went away: a queued request is dropped, a running one's result discarded. */
        public void cancel() {
            canceller.run();
        }
    }

    /** What may share a batch: one model version, one family batch key. */
    record GroupKey(ModelKey key, Object batchKey) {
    }

    /** One admitted request in a batch: the model that admitted it and its typed input. */
    record Job(ServedModel<Object, Object> model, Object input) {
    }

    /**
     * Whether this thread is submitting a unary call's request ({@link ServingCalls#answerAsync}): only such a request
     * may run on the submitting thread ({@code inline-when-idle}); a stream's requests must queue, so that the
     * stream's next requests can join their batch.
     */
    private static final ThreadLocal<Boolean> UNARY_CALLER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ServedModels models;
    private final ComputeBudget budget;
    private final boolean inlineWhenIdle;
    private final Batcher<Job, Object> batcher;
    private final Map<String, io.crossmodal.runtime.bundle.ServingSpec> specs = new ConcurrentHashMap<>();
    private final List<AutoCloseable> gauges = new CopyOnWriteArrayList<>();

    public InferenceQueue(ServedModels models, ServingLoadConfig config, BatchStats stats, Instance<ServingMetrics> metrics) {
        this.models = models;
        this.budget = new ComputeBudget(config.compute().maxRequestCost(), config.compute().heavyRequestCost());
        ServingLoadConfig.Batching batching = config.batching();
        this.inlineWhenIdle = batching.inlineWhenIdle();
        BatchSettings.of(batching, ""); // invalid settings fail the startup, not the first request
        batching.models().keySet().forEach(model -> BatchSettings.of(batching, model));
        this.batcher = new Batcher<>(models.served().service(), InferenceQueue::run,
                model -> BatchSettings.of(batching, model, specs.get(model)), OrtRunControl::new, stats,
                metrics.isResolvable() ? metricsListener(metrics.get()) : new Batcher.Listener() {
                }, models.threads().batchWorkers());
        LOG.infof("%s batches requests per model: at most %d per batch, waiting at most %s for a batch to fill, "
                + "at most %d queued per model (unless a model's bundle or crossmodal.serving.batching.models says otherwise); "
                + "a unary request for an idle model runs %s", models.served().service(), batching.maxBatchSize(),
                batching.maxQueueDelay(), batching.queueCapacity(), inlineWhenIdle ? "on its gRPC worker thread"
                        : "on a batch thread (inline-when-idle=false)");
        LOG.infof("%s compute per request: %s", models.served().service(), budget);
    }

    /**
     * Resolves the request's model, has its family check and convert the request, and queues it; the
     * result completes when its batch has run.
     *
     * @param deadlineNanos absolute {@link System#nanoTime()} deadline ({@link GrpcDeadlines#deadlineNanos()})
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT from the model selector; RESOURCE_EXHAUSTED when the
     *                                        model's queue is full; DEADLINE_EXCEEDED when the deadline already passed
     * @throws io.crossmodal.runtime.family.InvalidInputException from the family's checks (INVALID_ARGUMENT)
     */
    @SuppressWarnings("unchecked")
    public Pending submit(ServingCalls.Call call, long deadlineNanos) {
        long start = System.nanoTime();
        ModelCache.Lease<ServedModel<?, ?>> lease = models.cache().acquire(ProtoModels.selector(call.hasModel(), call.model()));
        ModelKey key = lease.key();
        ServedModel<Object, Object> model = (ServedModel<Object, Object>) lease.value();
        Object input;
        Batcher.Ticket<Object> ticket;
        try {
            input = model.admit(call.request());
            long cost = budget.check(key, model, input);
            // a request the family rejects keeps version "unresolved" in the call metrics, as before families
            CallModel.resolved(key.model(), key.version());
            specs.putIfAbsent(key.model(), model.spec());
            ticket = batcher.submit(key.model(), budget.isHeavy(cost), new GroupKey(key, model.batchKey(input)),
                    new Job(model, input), deadlineNanos, inlineWhenIdle && UNARY_CALLER.get());
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        CompletableFuture<ServingCalls.Served> result = ticket.future()
                .thenApply(output -> {
                    // written while the lease is held: the model version cannot close under the family's code
                    Message.Builder response = call.response().get();
                    model.respond(input, output, response);
                    if (LOG.isDebugEnabled()) { // describe formats the answer: only when it is logged
                        LOG.debugf("%s %s: %s, %s in %.1f ms", call.rpc(), call.requestId(), key,
                                model.describe(input, output), (System.nanoTime() - start) / 1e6);
                    }
                    return new ServingCalls.Served(key, response);
                })
                .whenComplete((served, failure) -> lease.close());
        return new Pending(result, ticket::cancel);
    }

    /**
     * Runs {@code submit} (which calls {@link #submit}) as a unary call's submission: with {@code inline-when-idle},
     * a request that finds its model idle runs on this thread before {@code submit} returns.
     */
    static <T> T asUnaryCall(java.util.concurrent.Callable<T> submit) throws Exception {
        UNARY_CALLER.set(Boolean.TRUE);
        try {
            return submit.call();
        } finally {
            UNARY_CALLER.set(Boolean.FALSE);
        }
    }

    /** The batcher's counters (also the {@link BatchStats} bean). */
    public BatchStats stats() {
        return batcher.stats();
    }

    /** The batching settings of a model. */
    public BatchSettings settings(String model) {
        return batcher.settings(model);
    }

    @PreDestroy
    void close() {
        batcher.close();
        for (AutoCloseable gauge : gauges) {
            try {
                gauge.close();
            } catch (Exception e) {
                LOG.debugf("closing a queue gauge: %s", e.toString());
            }
        }
    }

    /** Feeds the service's meters: queue depth per model, queue time per request, size and compute time per batch. */
    private Batcher.Listener metricsListener(ServingMetrics metrics) {
        return new Batcher.Listener() {
            @Override
            public void laneStarted(String model, IntSupplier depth) {
                gauges.add(metrics.queueDepth(model, depth::getAsInt));
            }

            @Override
            public void batchRan(String model, Object group, int size, long[] queuedNanos, long computeNanos, boolean failed) {
                ModelKey key = ((GroupKey) group).key();
                metrics.recordBatch(key, size, computeNanos);
                for (long q : queuedNanos) {
                    metrics.recordQueueTime(key, q);
                }
            }
        };
    }

    private static List<Object> run(Object group, List<Job> jobs, RunControl control) {
        ServedModel<Object, Object> model = jobs.get(0).model();
        List<Object> inputs = new ArrayList<>(jobs.size());
        for (Job j : jobs) {
            inputs.add(j.input());
        }
        return model.run(inputs, control);
    }
}
