package io.crossmodal.serving.common.batching;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the dynamic batcher, per model: batches run and their sizes, requests rejected (queue
 * full), expired (deadline passed while queued or running), cancelled by the client, batch runs
 * terminated because every member was gone, and failed batches. Thread-safe; a CDI bean so tests and
 * metrics exporters can read it.
 */
@ApplicationScoped
public class BatchStats {

    private final Map<String, ModelStats> models = new ConcurrentHashMap<>();

    /** The live counters of one model (created on first use). */
    public ModelStats model(String model) {
        return models.computeIfAbsent(model, m -> new ModelStats());
    }

    /** A consistent-enough copy of one model's counters (all zero for a model never seen). */
    public Snapshot snapshot(String model) {
        return model(model).snapshot();
    }

    /** Copies of every model's counters, by model name. */
    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> out = new TreeMap<>();
        models.forEach((m, s) -> out.put(m, s.snapshot()));
        return out;
    }

    /**
     * One model's counters at one moment.
     *
     * @param batches        batch runs (a batch retried one request at a time counts each retry)
     * @param batchedRequests requests in those runs
     * @param largestBatch   the most requests one run held
     * @param batchSizes     how many runs had each size
     * @param rejected       requests refused because the queue was full (RESOURCE_EXHAUSTED)
     * @param expired        requests whose deadline passed while queued or running (DEADLINE_EXCEEDED): found
     *                       by the server's timer, or cancelled by the client at its deadline
     * @param cancelled      requests cancelled by their caller while queued or running
     * @param terminatedRuns running batches aborted because all their requests were gone
     * @param failedBatches  batch runs that failed (their requests were retried alone or failed)
     * @param queued         requests waiting now
     * @param ranOnCaller    requests that found the lane idle and ran alone on the thread that submitted them
     *                       ({@code inline-when-idle}), of all {@code batchedRequests}
     * @param ranOnEventLoop of those, the ones that ran on a Vert.x event loop ({@code event-loop-when-idle})
     */
    public record Snapshot(long batches, long batchedRequests, int largestBatch, Map<Integer, Long> batchSizes,
            long rejected, long expired, long cancelled, long terminatedRuns, long failedBatches, int queued,
            long ranOnCaller, long ranOnEventLoop) {

        public double meanBatchSize() {
            return batches == 0 ? 0 : (double) batchedRequests / batches;
        }
    }

    /** The mutable counters of one model. */
    public static final class ModelStats {
        final LongAdder batches = new LongAdder();
        final LongAdder batchedRequests = new LongAdder();
        final AtomicInteger largestBatch = new AtomicInteger();
        final Map<Integer, LongAdder> batchSizes = new ConcurrentHashMap<>();
        final LongAdder rejected = new LongAdder();
        final LongAdder expired = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder terminatedRuns = new LongAdder();
        final LongAdder failedBatches = new LongAdder();
        final AtomicInteger queued = new AtomicInteger();
        final LongAdder ranOnCaller = new LongAdder();
        final LongAdder ranOnEventLoop = new LongAdder();

        /** A request ran on the event loop that submitted it (counted by the caller, which knows its thread). */
        public void ranOnEventLoop() {
            ranOnEventLoop.increment();
        }

        void batch(int size) {
            batches.increment();
            batchedRequests.add(size);
            largestBatch.accumulateAndGet(size, Math::max);
            batchSizes.computeIfAbsent(size, s -> new LongAdder()).increment();
        }

        Snapshot snapshot() {
            Map<Integer, Long> sizes = new TreeMap<>();
            batchSizes.forEach((s, n) -> sizes.put(s, n.sum()));
            return new Snapshot(batches.sum(), batchedRequests.sum(), largestBatch.get(), sizes, rejected.sum(),
                    expired.sum(), cancelled.sum(), terminatedRuns.sum(), failedBatches.sum(), queued.get(),
                    ranOnCaller.sum(), ranOnEventLoop.sum());
        }
    }
}
