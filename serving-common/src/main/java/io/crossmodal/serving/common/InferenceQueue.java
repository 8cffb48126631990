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
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The service's requests, dynamically batched, for any model family: a request's model is resolved
 * and leased, and the request is checked and converted by the model's family on the calling thread (a worker, or
 * the gRPC event loop for a request that can be admitted without blocking: {@link #submitOnEventLoop})
 * ({@link ServedModel#admit}), then queued in its model's lane of a {@link Batcher}; requests
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

    /** One admitted request in a batch: the model that admitted it, its typed input and its cost. */
    record Job(ServedModel<Object, Object> model, Object input, long cost) {
    }

    /**
     * Largest request (serialized bytes) that is admitted on an event loop: the family's checks and conversion
     * ({@link ServedModel#admit}) take time in proportion to the input, so a large one (audio, an image) is admitted on
     * a worker thread. Token sequences are far below it.
     */
    static final int EVENT_LOOP_MAX_REQUEST_BYTES = 16 * 1024;

    /**
     * Whether this thread is submitting a unary call's request ({@link ServingCalls#answerAsync}): only such a request
     * may run on the submitting thread ({@code inline-when-idle}); a stream's requests must queue, so that the
     * stream's next requests can join their batch.
     */
    private static final ThreadLocal<Boolean> UNARY_CALLER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ServedModels models;
    private final ComputeBudget budget;
    private final boolean inlineWhenIdle;
    private final boolean eventLoopWhenIdle;
    private final EventLoopBound eventLoopBound;
    private final Batcher<Job, Object> batcher;
    private final Map<String, io.crossmodal.runtime.bundle.ServingSpec> specs = new ConcurrentHashMap<>();
    private final List<AutoCloseable> gauges = new CopyOnWriteArrayList<>();

    public InferenceQueue(ServedModels models, ServingLoadConfig config, BatchStats stats, Instance<ServingMetrics> metrics) {
        this.models = models;
        this.budget = new ComputeBudget(config.compute().maxRequestCost(), config.compute().heavyRequestCost());
        ServingLoadConfig.Batching batching = config.batching();
        this.inlineWhenIdle = batching.inlineWhenIdle();
        this.eventLoopWhenIdle = batching.eventLoopWhenIdle();
        this.eventLoopBound = new EventLoopBound(batching.eventLoopMaxCost(), batching.eventLoopMaxRun());
        BatchSettings.of(batching, ""); // invalid settings fail the startup, not the first request
        batching.models().keySet().forEach(model -> BatchSettings.of(batching, model));
        this.batcher = new Batcher<>(models.served().service(), this::run,
                model -> BatchSettings.of(batching, model, specs.get(model)), OrtRunControl::new, stats,
                metrics.isResolvable() ? metricsListener(metrics.get()) : new Batcher.Listener() {
                }, models.threads().batchWorkers());
        LOG.infof("%s batches requests per model: at most %d per batch, waiting at most %s for a batch to fill, "
                + "at most %d queued per model (unless a model's bundle or crossmodal.serving.batching.models says otherwise); "
                + "a unary request for an idle model runs %s", models.served().service(), batching.maxBatchSize(),
                batching.maxQueueDelay(), batching.queueCapacity(), inlineWhenIdle ? "on its gRPC worker thread"
                        : "on a batch thread (inline-when-idle=false)");
        LOG.infof("%s unary requests: %s", models.served().service(), eventLoopWhenIdle
                ? "admitted on the gRPC event loop when their model is ready; one for an idle model runs there when it costs "
                        + eventLoopBound + (inlineWhenIdle ? "" : " (but inline-when-idle=false: never)")
                : "admitted on a worker thread (event-loop-when-idle=false)");
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
    public Pending submit(ServingCalls.Call call, long deadlineNanos) {
        long start = System.nanoTime();
        ModelCache.Lease<ServedModel<?, ?>> lease = models.cache().acquire(ProtoModels.selector(call.hasModel(), call.model()));
        return submit(call, deadlineNanos, lease, start, null);
    }

    /**
     * As {@link #submit}, for a unary call's handler on a Vert.x event loop, which must not block: returns null, having
     * done nothing, when the request cannot be admitted without blocking (its model is not a followed default that
     * is loaded, so it needs a registry read or a load; or the request is large, so its checks take time); the caller
     * then submits it from a worker thread. Otherwise the request is admitted here, and runs here when it finds its
     * model idle and is cheap ({@code event-loop-max-cost}, {@code event-loop-max-run}); one that is not cheap but finds
     * its model idle goes to {@code worker}, which runs it there if the model is still idle (as from a {@code @Blocking}
     * handler); any other one queues (a batch thread runs it). Null also when {@code event-loop-when-idle} is off.
     *
     * @param worker runs a task on a worker thread (with the call's gRPC context)
     */
    public Pending submitOnEventLoop(ServingCalls.Call call, long deadlineNanos, Executor worker) {
        if (!eventLoopWhenIdle || call.request().getSerializedSize() > EVENT_LOOP_MAX_REQUEST_BYTES) {
            return null;
        }
        long start = System.nanoTime();
        ModelCache.Lease<ServedModel<?, ?>> lease = models.cache().acquireIfReady(ProtoModels.selector(call.hasModel(), call.model()));
        return lease == null ? null : submit(call, deadlineNanos, lease, start, worker);
    }

    /**
     * @param worker null: this thread may run the request (a worker; inline when a unary caller's model is idle); else
     *               this is an event loop, which runs only cheap requests, and hands an expensive one for an idle model
     *               to {@code worker}
     */
    @SuppressWarnings("unchecked")
    private Pending submit(ServingCalls.Call call, long deadlineNanos, ModelCache.Lease<ServedModel<?, ?>> lease, long start,
            Executor worker) {
        ModelKey key = lease.key();
        ServedModel<Object, Object> model = (ServedModel<Object, Object>) lease.value();
        Object input;
        try {
            input = model.admit(call.request());
            long cost = budget.check(key, model, input);
            // a request the family rejects keeps version "unresolved" in the call metrics, as before families
            CallModel.resolved(key.model(), key.version());
            specs.putIfAbsent(key.model(), model.spec());
            boolean heavy = budget.isHeavy(cost);
            GroupKey group = new GroupKey(key, model.batchKey(input));
            Job job = new Job(model, input, cost);
            if (worker == null) {
                return pending(call, key, model, input, lease, start,
                        batcher.submit(key.model(), heavy, group, job, deadlineNanos, inlineWhenIdle && UNARY_CALLER.get()));
            }
            boolean cheap = !heavy && eventLoopBound.allows(key.model(), cost);
            if (inlineWhenIdle && !cheap && !heavy && batcher.idle(key.model())) {
                return onWorker(call, key, model, input, lease, start, group, job, deadlineNanos, worker);
            }
            Batcher.Ticket<Object> ticket = batcher.submit(key.model(), heavy, group, job, deadlineNanos, inlineWhenIdle && cheap);
            if (ticket.ranOnCaller() && io.vertx.core.Context.isOnEventLoopThread()) {
                batcher.stats().model(key.model()).ranOnEventLoop();
            }
            return pending(call, key, model, input, lease, start, ticket);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    /**
     * An admitted request handed to a worker thread, which queues it, or runs it there if its model is still idle (the
     * path of a {@code @Blocking} handler). A cancel before it is queued cancels it once it is.
     */
    private Pending onWorker(ServingCalls.Call call, ModelKey key, ServedModel<Object, Object> model, Object input,
            ModelCache.Lease<ServedModel<?, ?>> lease, long start, GroupKey group, Job job, long deadlineNanos,
            Executor worker) {
        CompletableFuture<ServingCalls.Served> result = new CompletableFuture<>();
        CancelRelay relay = new CancelRelay();
        worker.execute(() -> {
            Pending p;
            try {
                p = pending(call, key, model, input, lease, start,
                        batcher.submit(key.model(), false, group, job, deadlineNanos, true));
            } catch (RuntimeException | Error e) {
                lease.close();
                result.completeExceptionally(e);
                return;
            }
            relay.set(p);
            p.result().whenComplete((served, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(served);
                }
            });
        });
        return new Pending(result, relay::cancel);
    }

    /** The request's pending answer: its ticket's result written into a response, the lease released when done. */
    private Pending pending(ServingCalls.Call call, ModelKey key, ServedModel<Object, Object> model, Object input,
            ModelCache.Lease<ServedModel<?, ?>> lease, long start, Batcher.Ticket<Object> ticket) {
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

    /** The model's measured nanoseconds per work unit of its lone runs (what {@code event-loop-max-run} is checked with); 0 = none yet. */
    public double nanosPerUnit(String model) {
        return eventLoopBound.nanosPerUnit(model);
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

    private List<Object> run(Object group, List<Job> jobs, RunControl control) {
        ServedModel<Object, Object> model = jobs.get(0).model();
        List<Object> inputs = new ArrayList<>(jobs.size());
        for (Job j : jobs) {
            inputs.add(j.input());
        }
        long start = System.nanoTime();
        List<Object> out = model.run(inputs, control);
        if (jobs.size() == 1 && jobs.get(0).cost() > 0) {
            eventLoopBound.recordLoneRun(((GroupKey) group).key().model(), jobs.get(0).cost(), System.nanoTime() - start);
        }
        return out;
    }
}
