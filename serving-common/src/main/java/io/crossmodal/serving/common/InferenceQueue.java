package io.crossmodal.serving.common;

import io.crossmodal.runtime.onnx.OrtRunControl;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.serving.common.batching.BatchSettings;
import io.crossmodal.serving.common.batching.BatchStats;
import io.crossmodal.serving.common.batching.Batcher;
import io.crossmodal.serving.common.metrics.ServingMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The served component's requests, dynamically batched: a request is checked and admitted on the
 * calling (worker) thread ({@link Seq2SeqCalls#admit}: the model lease, the source ids, the search
 * options), then queued in its model's lane of a {@link Batcher}; requests for the same model version
 * whose search options share a {@link SearchOptions#batchKey()} run as one batched search
 * ({@link Seq2SeqPredictor#transduce(long[][], List, RunControl)}), each keeping its own length
 * limit, n-best and sampling seed, so a response does not depend on what else was in its batch.
 *
 * <p>Each queued request holds its lease on the model version it was admitted for, so a hot reload
 * that switches versions meanwhile lets it finish on the old one; the lease is released when the
 * request completes. Batch runs use an {@link OrtRunControl}, so a batch whose requests have all gone
 * away (cancelled, expired) terminates its ONNX Runtime run.
 *
 * <p>Counters are kept in the {@link BatchStats} bean; when the service has {@link ServingMetrics},
 * queue depth, queue time, batch size and batch compute time also go to its Micrometer meters.
 */
@ApplicationScoped
public class InferenceQueue {

    private static final Logger LOG = Logger.getLogger(InferenceQueue.class);

    /** A queued request: its result (completes on a batching thread) and how to cancel it. */
    public record Pending(CompletableFuture<Seq2SeqCalls.Transduction> result, Runnable canceller) {

        /** The caller went away: a queued request is dropped, a running one's result discarded. */
        public void cancel() {
            canceller.run();
        }
    }

    /** What may share a batch: one model version, one search configuration. */
    record GroupKey(ModelKey key, SearchOptions searchKey) {
    }

    /** One admitted request in a batch. */
    record Job(Seq2SeqCalls.Admitted admitted) {
    }

    private final ServedModels models;
    private final Batcher<Job, List<ScoredSequence>> batcher;
    private final List<AutoCloseable> gauges = new CopyOnWriteArrayList<>();

    public InferenceQueue(ServedModels models, ServingLoadConfig config, BatchStats stats, Instance<ServingMetrics> metrics) {
        this.models = models;
        ServingLoadConfig.Batching batching = config.batching();
        BatchSettings.of(batching, ""); // invalid settings fail the startup, not the first request
        batching.models().keySet().forEach(model -> BatchSettings.of(batching, model));
        this.batcher = new Batcher<>(models.served().service(), InferenceQueue::run,
                model -> BatchSettings.of(batching, model), OrtRunControl::new, stats,
                metrics.isResolvable() ? metricsListener(metrics.get()) : new Batcher.Listener() {
                });
        LOG.infof("%s batches requests per model: at most %d per batch, waiting at most %s for a batch to fill, "
                + "at most %d queued per model", models.served().service(), batching.maxBatchSize(),
                batching.maxQueueDelay(), batching.queueCapacity());
    }

    /**
     * Checks and queues a request (see {@link Seq2SeqCalls#admit} for the checks, which throw); the
     * result completes when its batch has run.
     *
     * @param deadlineNanos absolute {@link System#nanoTime()} deadline ({@link GrpcDeadlines#deadlineNanos()})
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT and the like from the checks; RESOURCE_EXHAUSTED
     *                                        when the model's queue is full; DEADLINE_EXCEEDED when the deadline
     *                                        already passed
     */
    public Pending submit(Seq2SeqCalls.TokenCall call, IntFunction<SearchOptions> options, long deadlineNanos) {
        long start = System.nanoTime();
        Seq2SeqCalls.Admitted admitted = Seq2SeqCalls.admit(models, call, options);
        ModelKey key = admitted.key();
        Batcher.Ticket<List<ScoredSequence>> ticket;
        try {
            ticket = batcher.submit(key.model(), new GroupKey(key, admitted.options().batchKey()), new Job(admitted),
                    deadlineNanos);
        } catch (RuntimeException e) {
            admitted.close();
            throw e;
        }
        CompletableFuture<Seq2SeqCalls.Transduction> result = ticket.future()
                .whenComplete((hypotheses, failure) -> admitted.close())
                .thenApply(hypotheses -> {
                    Seq2SeqCalls.Transduction t = new Seq2SeqCalls.Transduction(key, ProtoModels.scoredSequences(hypotheses));
                    Seq2SeqCalls.logDone(call, t, admitted.options(), start);
                    return t;
                });
        return new Pending(result, ticket::cancel);
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

    private static List<List<ScoredSequence>> run(Object group, List<Job> jobs, RunControl control) {
        Seq2SeqPredictor predictor = jobs.get(0).admitted().lease().value();
        long[][] sources = new long[jobs.size()][];
        List<SearchOptions> options = new ArrayList<>(jobs.size());
        for (int i = 0; i < sources.length; i++) {
            sources[i] = jobs.get(i).admitted().sourceIds();
            options.add(jobs.get(i).admitted().options());
        }
        return predictor.transduce(sources, options, control);
    }
}
