package io.crossmodal.serving.common.batching;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Dynamic batching: requests are queued per model (a <em>lane</em>, with a bounded queue and one worker
 * thread) and the worker runs them in batches. A batch holds requests with equal <em>group keys</em>
 * (for inference: the same model version and compatible search options), up to the model's
 * {@code maxBatchSize}, in arrival order; the oldest waiting request decides the group and waits at
 * most {@code maxQueueDelay} for others to join. While a batch runs, new requests queue up and form
 * the next batch, so under load batches fill without any added delay.
 *
 * <p><b>Admission.</b> {@link #submit} never blocks: a full queue is RESOURCE_EXHAUSTED, a deadline
 * already passed DEADLINE_EXCEEDED, a closed batcher UNAVAILABLE, all thrown at once.
 *
 * <p><b>Deadlines and cancellation.</b> A request carries its deadline; a shared timer thread expires
 * it: a queued request is removed and fails with DEADLINE_EXCEEDED. {@link Ticket#cancel()} (the
 * caller went away) removes a queued request (CANCELLED). A request that is already running stays in
 * its batch (its neighbours are not disturbed) and its result is dropped; when every request of a
 * running batch is gone, the batch's {@link RunControl} is cancelled, which stops the search at its
 * next step and, for ONNX Runtime, terminates the run in progress.
 *
 * <p><b>Completion.</b> A ticket's future completes exactly once, and only when the batcher no longer
 * uses its payload (for a request cancelled while running: after the run), so a caller may release
 * resources the payload holds (a model lease) when the future completes. Futures complete on the lane's
 * worker or the timer thread; callbacks must be quick and must not block.
 *
 * <p><b>Failures.</b> A failed batch of several requests is retried one request at a time, so an input
 * that breaks the run fails only its own request.
 *
 * <p><b>Workers and heavy requests.</b> A lane has {@code workers} threads (default 1): with more than one,
 * a second batch of the same model runs while the first does (ONNX Runtime sessions are thread-safe), so
 * a model can use more than one core. A request submitted as <em>heavy</em> (expensive but valid, e.g. a
 * wide beam over a long output) goes to its model's separate heavy lane (one worker, same settings), so
 * it never holds up the cheap requests of the same model.
 *
 * <p>Parts: this class (the API and the lanes), {@link Lane} (a model's queue: admission, removal,
 * forming batches), {@link LaneWorker} (running batches, the one-at-a-time retry, completing tickets).
 *
 * @param <P> what one request carries to the runner
 * @param <R> one request's result
 */
public final class Batcher<P, R> implements AutoCloseable {

    /** Runs one batch. */
    @FunctionalInterface
    public interface Runner<P, R> {
        /**
         * Runs the payloads as one batch; returns one result per payload, in order. Should stop with
         * {@link RunCancelledException} once {@code control} is cancelled.
         */
        List<R> run(Object groupKey, List<P> payloads, RunControl control);
    }

    /**
     * Observes the batcher, e.g. for metrics. Called on the batcher's threads: must be quick, and what
     * it throws is logged and ignored.
     */
    public interface Listener {
        /** A model's lane started; {@code depth} reads the number of requests waiting for the model (all its lanes). */
        default void laneStarted(String model, java.util.function.IntSupplier depth) {
        }

        /**
         * A batch ran (also a run of one request retried alone after its batch failed).
         *
         * @param queuedNanos  how long each member waited, from its submission to the run's start
         * @param computeNanos how long the run took
         */
        default void batchRan(String model, Object groupKey, int size, long[] queuedNanos, long computeNanos, boolean failed) {
        }
    }

    final String name;
    final Runner<P, R> runner;
    final Listener listener;
    final Function<String, BatchSettings> settings;
    final Supplier<? extends RunControl> controls;
    final BatchStats stats;
    final ScheduledThreadPoolExecutor timer;
    private final int workers;
    private final Map<LaneKey, Lane<P, R>> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A model's lane: its normal one or its heavy one. */
    private record LaneKey(String model, boolean heavy) {
    }

    /**
     * @param name     names the threads ({@code <name>-batch-<model>})
     * @param runner   runs a batch
     * @param settings the batching settings of a model (asked once, when its lane starts)
     * @param controls a fresh control per batch run ({@code OrtRunControl::new} for ONNX Runtime); closed
     *                 after the run if it is AutoCloseable
     * @param stats    where counters go
     */
    public Batcher(String name, Runner<P, R> runner, Function<String, BatchSettings> settings,
            Supplier<? extends RunControl> controls, BatchStats stats) {
        this(name, runner, settings, controls, stats, new Listener() {
        });
    }

    /** As above, with a {@link Listener} (metrics); one worker per lane. */
    public Batcher(String name, Runner<P, R> runner, Function<String, BatchSettings> settings,
            Supplier<? extends RunControl> controls, BatchStats stats, Listener listener) {
        this(name, runner, settings, controls, stats, listener, 1);
    }

    /** As above, with {@code workers} batch threads per model (the heavy lane always has one). */
    public Batcher(String name, Runner<P, R> runner, Function<String, BatchSettings> settings,
            Supplier<? extends RunControl> controls, BatchStats stats, Listener listener, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("batch workers per model must be >= 1, got " + workers);
        }
        this.workers = workers;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.name = Objects.requireNonNull(name, "name");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.controls = Objects.requireNonNull(controls, "controls");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name + "-batch-deadlines");
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** No deadline. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** How early before its deadline a caller's cancel still counts as the deadline passing. */
    static final long DEADLINE_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Queues a request in its model's normal lane.
     *
     * @param model         the lane (one queue and its workers per model)
     * @param groupKey      requests with equal keys may share a batch
     * @param payload       what the runner gets
     * @param deadlineNanos absolute {@link System#nanoTime()} deadline, or {@link #NO_DEADLINE}
     * @throws io.grpc.StatusRuntimeException RESOURCE_EXHAUSTED (queue full), DEADLINE_EXCEEDED (deadline
     *                                        passed), UNAVAILABLE (closed)
     */
    public Ticket<R> submit(String model, Object groupKey, P payload, long deadlineNanos) {
        return submit(model, false, groupKey, payload, deadlineNanos);
    }

    /** As {@link #submit(String, Object, Object, long)}; {@code heavy} puts it in the model's heavy lane. */
    public Ticket<R> submit(String model, boolean heavy, Object groupKey, P payload, long deadlineNanos) {
        return submit(model, heavy, groupKey, payload, deadlineNanos, false);
    }

    /**
     * As {@link #submit(String, boolean, Object, Object, long)}; with {@code runHereIfIdle}, a request for the normal
     * lane that finds it idle (nothing queued, fewer batches running than workers, max queue delay 0) runs alone on
     * the calling thread before this returns (its future is then complete), instead of being handed to a worker:
     * the worker would have started it at once anyway, and the hand-off costs a thread wake-up. Such a run counts
     * as one of the lane's batches (the workers never run more batches at once than there are workers). The caller
     * must be able to spend the run's time (not an event loop). Heavy requests are always queued.
     */
    public Ticket<R> submit(String model, boolean heavy, Object groupKey, P payload, long deadlineNanos,
            boolean runHereIfIdle) {
        Objects.requireNonNull(groupKey, "groupKey");
        if (closed) {
            throw Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException();
        }
        Lane<P, R> lane = lanes.computeIfAbsent(new LaneKey(model, heavy),
                k -> new Lane<>(this, k.model(), k.heavy(), k.heavy() ? 1 : workers));
        return lane.enqueue(groupKey, payload, deadlineNanos, runHereIfIdle && !heavy);
    }

    /**
     * Whether a request for the model's normal lane would find it idle now (nothing queued, fewer batches running than
     * workers, no fill window; a lane not started yet is idle): a hint, the lane may change at once.
     */
    public boolean idle(String model) {
        Lane<P, R> lane = lanes.get(new LaneKey(model, false));
        return lane == null ? settings.apply(model).maxQueueDelay().isZero() : lane.idle();
    }

    /** The settings a model's lane runs with (starts nothing). */
    public BatchSettings settings(String model) {
        Lane<P, R> lane = lanes.get(new LaneKey(model, false));
        return lane != null ? lane.settings : settings.apply(model);
    }

    /** Batch threads per model in its normal lane. */
    public int workers() {
        return workers;
    }

    public BatchStats stats() {
        return stats;
    }

    /**
     * Stops taking requests, fails the queued ones with UNAVAILABLE, lets running batches finish and
     * waits (up to 10 s) for the workers to exit and the batches running on callers' threads to end.
     */
    @Override
    public void close() {
        closed = true;
        lanes.values().forEach(Lane::stop);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Lane<P, R> lane : lanes.values()) {
            if (!lane.join(until)) {
                break;
            }
        }
        timer.shutdownNow();
    }

    enum State { QUEUED, RUNNING, DONE }

    /** A submitted request: its future, and {@link #cancel()} for when its caller goes away. */
    public static final class Ticket<R> {
        final Lane<?, R> lane;
        final Object groupKey;
        final Object payload;
        final long enqueuedNanos;
        final long deadlineNanos;
        final CompletableFuture<R> future = new CompletableFuture<>();
        // guarded by lane.lock
        State state = State.QUEUED;
        Batch<R> batch;
        Status gone;
        ScheduledFuture<?> expiry;
        /** Set (before {@link Batcher#submit} returns) when the request ran alone on the submitting thread. */
        volatile boolean ranOnCaller;

        Ticket(Lane<?, R> lane, Object groupKey, Object payload, long deadlineNanos) {
            this.lane = lane;
            this.groupKey = groupKey;
            this.payload = payload;
            this.enqueuedNanos = System.nanoTime();
            this.deadlineNanos = deadlineNanos;
        }

        /**
         * Completes with the request's result, or exceptionally with a StatusRuntimeException
         * (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE) or the runner's failure.
         */
        public CompletableFuture<R> future() {
            return future;
        }

        /** Whether the request found its lane idle and ran alone on the thread that submitted it (known once submitted). */
        public boolean ranOnCaller() {
            return ranOnCaller;
        }

        /**
         * The caller went away: a queued request is removed, a running one's result dropped. Idempotent.
         * A cancel that arrives at the request's deadline (within {@link #DEADLINE_TOLERANCE_NANOS}: the
         * client's clock started the deadline a little earlier than the server's) is the deadline's doing
         * (a gRPC client cancels the call when its deadline passes) and counts as expired.
         */
        public void cancel() {
            if (deadlineNanos != NO_DEADLINE && System.nanoTime() - (deadlineNanos - DEADLINE_TOLERANCE_NANOS) >= 0) {
                lane.remove(this, Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded while waiting for model "
                        + lane.model), true);
            } else {
                lane.remove(this, Status.CANCELLED.withDescription("cancelled by the caller"), false);
            }
        }
    }
}
