package io.crossmodal.runtime.cache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Bounds the model loads that requests start. Loading a version reads and verifies its bundle, creates
 * ONNX Runtime sessions and warms them: a few hundred milliseconds of CPU or more. Without a bound,
 * requests that cycle through old versions (more than the cache holds) keep the service loading models.
 * <ul>
 *   <li><b>Rate</b>: at most {@code maxPerMinute} loads in any minute (a token bucket of that size, refilled
 *       evenly); a load beyond is refused at once ({@link ModelLoadRejectedException}).</li>
 *   <li><b>Concurrency</b>: at most {@code maxConcurrent} loads at once; a further load waits for a slot up to
 *       {@code maxWait}, then is refused.</li>
 *   <li><b>Failures</b>: a version whose load failed answers the same failure for {@code failureMemory}
 *       without loading again (a broken bundle asked for in a loop costs one load, not one per request).</li>
 * </ul>
 * A request for a version that is loaded, or that joins a load in progress, needs no permit. Preloads and
 * hot reloads do not go through the limiter. Thread-safe.
 */
public final class LoadLimiter {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_REMEMBERED_FAILURES = 1000;

    private final int maxConcurrent;
    private final int maxPerMinute;
    private final long maxWaitNanos;
    private final long failureMemoryNanos;
    private final LongSupplier clock;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    // guarded by this
    private double tokens;
    private long refilledAt;
    private final Map<ModelKey, Failure> failures = new LinkedHashMap<>();

    private record Failure(RuntimeException error, long atNanos) {
    }

    /**
     * @param maxConcurrent  loads at once (at least 1)
     * @param maxPerMinute   loads per minute (at least 1)
     * @param maxWait        how long a load waits for a free slot
     * @param failureMemory  how long a failed load's error is answered without loading again (0 = not at all)
     * @param clock          nanoseconds for the rate and the failure memory, e.g. {@code System::nanoTime}
     */
    public LoadLimiter(int maxConcurrent, int maxPerMinute, Duration maxWait, Duration failureMemory, LongSupplier clock) {
        if (maxConcurrent < 1 || maxPerMinute < 1) {
            throw new IllegalArgumentException("model load limits must be >= 1, got " + maxConcurrent + " concurrent, "
                    + maxPerMinute + " per minute");
        }
        if (maxWait.isNegative() || failureMemory.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        this.maxConcurrent = maxConcurrent;
        this.maxPerMinute = maxPerMinute;
        this.maxWaitNanos = maxWait.toNanos();
        this.failureMemoryNanos = failureMemory.toNanos();
        this.clock = clock;
        this.slots = new Semaphore(maxConcurrent, true);
        this.tokens = maxPerMinute;
        this.refilledAt = clock.getAsLong();
    }

    /** No bounds and no failure memory (the cache's default). */
    public static LoadLimiter unlimited() {
        return new LoadLimiter(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO, System::nanoTime);
    }

    /**
     * Takes a permit for loading {@code key} (release it with {@link #release()} when the load ends), or
     * throws the failure this version's last load ended with, if that was less than {@code failureMemory} ago.
     *
     * @throws ModelLoadRejectedException the minute's loads are used up, or no slot freed within {@code maxWait}
     */
    public void acquire(ModelKey key) {
        synchronized (this) {
            RuntimeException remembered = remembered(key);
            if (remembered != null) {
                throw remembered;
            }
            refill();
            if (tokens < 1) {
                long waitMs = (long) Math.ceil((1 - tokens) * MINUTE / maxPerMinute / 1e6);
                throw new ModelLoadRejectedException("model " + key + " is not loaded, and this service has loaded "
                        + maxPerMinute + " model versions within a minute (crossmodal.serving.loads.max-per-minute); "
                        + "retry in about " + Math.max(1, waitMs) + " ms, or use a version that is loaded");
            }
            tokens -= 1;
        }
        waiting.incrementAndGet();
        boolean got;
        try {
            got = slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        } finally {
            waiting.decrementAndGet();
        }
        if (!got) {
            throw new ModelLoadRejectedException("model " + key + " is not loaded, and " + maxConcurrent
                    + " model load(s) were running for longer than " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                    + " ms (crossmodal.serving.loads.max-concurrent); retry later, or use a version that is loaded");
        }
    }

    /** Ends a load started with {@link #acquire}; {@code failure} is its error (remembered), null when it succeeded. */
    public void release(ModelKey key, RuntimeException failure) {
        if (failure != null && failureMemoryNanos > 0 && !(failure instanceof ModelLoadRejectedException)) {
            synchronized (this) {
                failures.remove(key);
                failures.put(key, new Failure(failure, clock.getAsLong()));
                if (failures.size() > MAX_REMEMBERED_FAILURES) {
                    failures.remove(failures.keySet().iterator().next());
                }
            }
        }
        slots.release();
    }

    /** Loads running now. */
    public int running() {
        return maxConcurrent == Integer.MAX_VALUE ? 0 : maxConcurrent - slots.availablePermits();
    }

    /** Loads waiting for a slot now. */
    public int waiting() {
        return waiting.get();
    }

    private RuntimeException remembered(ModelKey key) {
        Failure f = failures.get(key);
        if (f == null) {
            return null;
        }
        if (clock.getAsLong() - f.atNanos() >= failureMemoryNanos) {
            failures.remove(key);
            return null;
        }
        return f.error();
    }

    private void refill() {
        if (maxPerMinute == Integer.MAX_VALUE) {
            tokens = Integer.MAX_VALUE;
            return;
        }
        long now = clock.getAsLong();
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(maxPerMinute, tokens + (double) elapsed * maxPerMinute / MINUTE);
            refilledAt = now;
        }
    }
}
