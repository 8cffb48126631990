package io.crossmodal.serving.common;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which requests are cheap enough to run on a gRPC event loop ({@code crossmodal.serving.batching.event-loop-max-cost}
 * and {@code event-loop-max-run}): a request within the cost bound, in its family's work units, whose predicted run
 * time, its model's measured time per work unit x its cost, is within the time bound. The cost is an upper bound on
 * the work (a search may stop early) and the same work unit takes very different times on different models and
 * machines; the measurement (a moving average over the model's lone runs) ties the bound to this model on this machine,
 * so the event loop, which every other call of its connections waits for, is held for at most about the time bound.
 * Thread-safe.
 */
final class EventLoopBound {

    /** Weight of a new lone run in the moving average. */
    static final double ALPHA = 0.2;

    private final long maxCost;
    private final long maxRunNanos;
    /** Per model: moving average of nanoseconds per work unit of its lone runs, as double bits; absent = not measured. */
    private final Map<String, AtomicLong> nanosPerUnit = new ConcurrentHashMap<>();

    EventLoopBound(long maxCost, Duration maxRun) {
        if (maxCost < 0 || maxRun.isNegative()) {
            throw new IllegalArgumentException("crossmodal.serving.batching.event-loop-max-cost and event-loop-max-run must"
                    + " be >= 0, got " + maxCost + " and " + maxRun);
        }
        this.maxCost = maxCost;
        this.maxRunNanos = maxRun.toNanos();
    }

    /**
     * Whether a request of this cost for this model may run on the event loop. A family that does not price its
     * requests (cost 0) and a model without a measured lone run never qualify.
     */
    boolean allows(String model, long cost) {
        if (cost <= 0 || cost > maxCost) {
            return false;
        }
        AtomicLong perUnit = nanosPerUnit.get(model);
        return perUnit != null && cost * Double.longBitsToDouble(perUnit.get()) <= maxRunNanos;
    }

    /** Folds a lone run (one request of this cost, run in {@code nanos}) into its model's average; the first sets it. */
    void recordLoneRun(String model, long cost, long nanos) {
        if (cost <= 0) {
            return;
        }
        double sample = (double) nanos / cost;
        AtomicLong perUnit = nanosPerUnit.computeIfAbsent(model, m -> new AtomicLong(Double.doubleToRawLongBits(sample)));
        // racing runs may lose a sample: the average only steers where cheap requests run
        double old = Double.longBitsToDouble(perUnit.get());
        perUnit.set(Double.doubleToRawLongBits((1 - ALPHA) * old + ALPHA * sample));
    }

    /** The model's average nanoseconds per work unit of its lone runs; 0 when none was measured. */
    double nanosPerUnit(String model) {
        AtomicLong perUnit = nanosPerUnit.get(model);
        return perUnit == null ? 0 : Double.longBitsToDouble(perUnit.get());
    }

    @Override
    public String toString() {
        return "at most " + maxCost + " work units and predicted within " + maxRunNanos / 1e6
                + " ms";
    }
}
