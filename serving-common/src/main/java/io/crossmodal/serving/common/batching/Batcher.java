package io.crossmodal.serving.common.batching;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

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
 * @param <P> what one request carries to the runner
 * @param <R> one request's result
 */
public final class Batcher<P, R> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Batcher.class);

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
        /** A model's lane started; {@code depth} reads the number of requests waiting in it. */
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

    private final String name;
    private final Runner<P, R> runner;
    private final Listener listener;
    private final Function<String, BatchSettings> settings;
    private final Supplier<? extends RunControl> controls;
    private final BatchStats stats;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

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

    /** As above, with a {@link Listener} (metrics). */
    public Batcher(String name, Runner<P, R> runner, Function<String, BatchSettings> settings,
            Supplier<? extends RunControl> controls, BatchStats stats, Listener listener) {
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
     * Queues a request.
     *
     * @param model         the lane (one queue and worker per model)
     * @param groupKey      requests with equal keys may share a batch
     * @param payload       what the runner gets
     * @param deadlineNanos absolute {@link System#nanoTime()} deadline, or {@link #NO_DEADLINE}
     * @throws io.grpc.StatusRuntimeException RESOURCE_EXHAUSTED (queue full), DEADLINE_EXCEEDED (deadline
     *                                        passed), UNAVAILABLE (closed)
     */
    public Ticket<R> submit(String model, Object groupKey, P payload, long deadlineNanos) {
        Objects.requireNonNull(groupKey, "groupKey");
        if (closed) {
            throw Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException();
        }
        Lane lane = lanes.computeIfAbsent(model, Lane::new);
        return lane.enqueue(groupKey, payload, deadlineNanos);
    }

    /** The settings a model's lane runs with (starts nothing). */
    public BatchSettings settings(String model) {
        Lane lane = lanes.get(model);
        return lane != null ? lane.settings : settings.apply(model);
    }

    public BatchStats stats() {
        return stats;
    }

    /**
     * Stops taking requests, fails the queued ones with UNAVAILABLE, lets running batches finish and
     * waits (up to 10 s) for the workers to exit.
     */
    @Override
    public void close() {
        closed = true;
        lanes.values().forEach(Lane::stop);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Lane lane : lanes.values()) {
            try {
                lane.worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
    }

    private enum State { QUEUED, RUNNING, DONE }

    /** A submitted request: its future, and {@link #cancel()} for when its caller goes away. */
    public static final class Ticket<R> {
        private final Batcher<?, R>.Lane lane;
        private final Object groupKey;
        private final Object payload;
        private final long enqueuedNanos;
        private final long deadlineNanos;
        private final CompletableFuture<R> future = new CompletableFuture<>();
        // guarded by lane.lock
        private State state = State.QUEUED;
        private Batcher<?, R>.Batch batch;
        private Status gone;
        private ScheduledFuture<?> expiry;

        private Ticket(Batcher<?, R>.Lane lane, Object groupKey, Object payload, long deadlineNanos) {
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

    /** The requests of one run and its control. */
    private final class Batch {
        final List<Ticket<R>> members;
        final RunControl control;
        /** Requests still wanting the result (lock held). */
        int live;
        /** Set by a successful run. */
        List<R> results;

        Batch(List<Ticket<R>> members, RunControl control) {
            this.members = members;
            this.control = control;
            this.live = members.size();
        }
    }

    /** One model's queue and worker. */
    private final class Lane implements Runnable {
        final String model;
        final BatchSettings settings;
        final long maxDelayNanos;
        final BatchStats.ModelStats counters;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final ArrayDeque<Ticket<R>> queue = new ArrayDeque<>();
        final Thread worker;
        boolean stopping;

        Lane(String model) {
            this.model = model;
            this.settings = Batcher.this.settings.apply(model);
            this.maxDelayNanos = settings.maxQueueDelay().toNanos();
            this.counters = stats.model(model);
            this.worker = new Thread(this, name + "-batch-" + model);
            this.worker.setDaemon(true);
            try {
                listener.laneStarted(model, counters.queued::get);
            } catch (RuntimeException e) {
                LOG.warnf(e, "batch listener failed");
            }
            this.worker.start();
            LOG.debugf("batching lane for model %s: %s", model, settings);
        }

        Ticket<R> enqueue(Object groupKey, Object payload, long deadlineNanos) {
            Ticket<R> t = new Ticket<>(this, groupKey, payload, deadlineNanos);
            lock.lock();
            try {
                if (stopping) {
                    throw Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException();
                }
                if (deadlineNanos != NO_DEADLINE && deadlineNanos - System.nanoTime() <= 0) {
                    counters.expired.increment();
                    throw Status.DEADLINE_EXCEEDED.withDescription("deadline passed before model " + model
                            + " could queue the request").asRuntimeException();
                }
                if (queue.size() >= settings.queueCapacity()) {
                    counters.rejected.increment();
                    throw Status.RESOURCE_EXHAUSTED.withDescription("model " + model + " is overloaded: "
                            + queue.size() + " requests are already waiting (the queue capacity, "
                            + "crossmodal.serving.batching.queue-capacity); retry later").asRuntimeException();
                }
                queue.addLast(t);
                counters.queued.set(queue.size());
                if (deadlineNanos != NO_DEADLINE) {
                    t.expiry = timer.schedule(() -> remove(t, Status.DEADLINE_EXCEEDED.withDescription(
                            "deadline exceeded while waiting for model " + model), true),
                            deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            return t;
        }

        /** Takes a request out: a queued one now, a running one from its batch's live count. */
        void remove(Ticket<R> t, Status why, boolean expired) {
            boolean completeNow = false;
            RunControl terminate = null;
            lock.lock();
            try {
                switch (t.state) {
                    case QUEUED -> {
                        queue.remove(t);
                        counters.queued.set(queue.size());
                        t.state = State.DONE;
                        completeNow = true;
                        changed.signalAll();
                    }
                    case RUNNING -> {
                        if (t.gone == null) {
                            t.gone = why;
                            if (--t.batch.live == 0) {
                                terminate = t.batch.control;
                            }
                        } else {
                            return;
                        }
                    }
                    case DONE -> {
                        return;
                    }
                }
                (expired ? counters.expired : counters.cancelled).increment();
            } finally {
                lock.unlock();
            }
            if (completeNow) {
                if (t.expiry != null) {
                    t.expiry.cancel(false);
                }
                t.future.completeExceptionally(why.asRuntimeException());
            }
            if (terminate != null) {
                counters.terminatedRuns.increment();
                LOG.debugf("model %s: every request of the running batch is gone; terminating the run", model);
                terminate.cancel();
            }
        }

        void stop() {
            List<Ticket<R>> dropped;
            lock.lock();
            try {
                stopping = true;
                dropped = new ArrayList<>(queue);
                queue.clear();
                dropped.forEach(t -> t.state = State.DONE);
                counters.queued.set(0);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            for (Ticket<R> t : dropped) {
                if (t.expiry != null) {
                    t.expiry.cancel(false);
                }
                t.future.completeExceptionally(Status.UNAVAILABLE.withDescription("the server is shutting down")
                        .asRuntimeException());
            }
        }

        @Override
        public void run() {
            while (true) {
                Batch batch;
                try {
                    batch = next();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (batch == null) {
                    return;
                }
                try {
                    execute(batch);
                } catch (Throwable t) {
                    // never leave a member hanging (and holding its resources) because the loop broke
                    LOG.errorf(t, "model %s: batching failed unexpectedly; failing the batch", model);
                    try {
                        finish(batch, t);
                    } catch (Throwable ignored) {
                        // finish completes futures only; nothing more to do
                    }
                }
            }
        }

        /** Waits for the next batch (null when stopping). */
        private Batch next() throws InterruptedException {
            lock.lock();
            try {
                Ticket<R> head;
                while (true) {
                    if (stopping) {
                        return null;
                    }
                    head = queue.peekFirst();
                    if (head == null) {
                        changed.await();
                        continue;
                    }
                    if (countGroup(head.groupKey) >= settings.maxBatchSize()) {
                        break;
                    }
                    long wait = head.enqueuedNanos + maxDelayNanos - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    changed.awaitNanos(wait); // woken early by arrivals and removals; re-check everything
                }
                List<Ticket<R>> members = new ArrayList<>(Math.min(queue.size(), settings.maxBatchSize()));
                for (Iterator<Ticket<R>> it = queue.iterator(); it.hasNext() && members.size() < settings.maxBatchSize(); ) {
                    Ticket<R> t = it.next();
                    if (t.groupKey.equals(head.groupKey)) {
                        it.remove();
                        members.add(t);
                    }
                }
                counters.queued.set(queue.size());
                return start(members);
            } finally {
                lock.unlock();
            }
        }

        private int countGroup(Object key) {
            int n = 0;
            for (Ticket<R> t : queue) {
                if (t.groupKey.equals(key) && ++n >= settings.maxBatchSize()) {
                    break;
                }
            }
            return n;
        }

        /** Marks the members running in a new batch (lock held). */
        private Batch start(List<Ticket<R>> members) {
            Batch b = new Batch(members, newControl());
            for (Ticket<R> t : members) {
                t.state = State.RUNNING;
                t.batch = b;
            }
            return b;
        }

        private RunControl newControl() {
            try {
                return controls.get();
            } catch (RuntimeException e) {
                LOG.warnf(e, "cannot create a run control; this batch can only be stopped between steps");
                return new RunControl();
            }
        }

        private void execute(Batch batch) {
            Throwable failure = attempt(batch);
            if (failure != null && !(failure instanceof RunCancelledException) && batch.members.size() > 1) {
                LOG.warnf(failure, "model %s: a batch of %d requests failed; retrying them one at a time", model,
                        batch.members.size());
                List<Batch> solos = new ArrayList<>();
                lock.lock();
                try {
                    for (Ticket<R> t : batch.members) {
                        if (t.gone == null) {
                            solos.add(start(List.of(t)));
                        }
                    }
                } finally {
                    lock.unlock();
                }
                // members cancelled during the failed run were not restarted: they complete as gone
                finish(new Batch(batch.members.stream().filter(t -> t.batch == batch).toList(), batch.control), failure);
                for (Batch solo : solos) {
                    finish(solo, attempt(solo));
                }
                return;
            }
            finish(batch, failure);
        }

        /** Runs a batch (its results go to {@link Batch#results}) and closes its control; returns its failure or null. */
        private Throwable attempt(Batch batch) {
            int n = batch.members.size();
            List<Object> payloads = new ArrayList<>(n);
            batch.members.forEach(t -> payloads.add(t.payload));
            long start = System.nanoTime();
            Throwable failure = null;
            try {
                batch.control.checkCancelled();
                @SuppressWarnings("unchecked")
                List<R> results = runner.run(batch.members.get(0).groupKey, (List<P>) payloads, batch.control);
                if (results == null || results.size() != n) {
                    throw new IllegalStateException("batch runner returned " + (results == null ? "null" : results.size())
                            + " results for " + n + " requests");
                }
                batch.results = results;
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (batch.control instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.warnf(e, "error closing a run control");
                    }
                }
            }
            long computeNanos = System.nanoTime() - start;
            counters.batch(n);
            boolean failed = failure != null && !(failure instanceof RunCancelledException);
            if (failed) {
                counters.failedBatches.increment();
            }
            long[] queued = new long[n];
            for (int i = 0; i < n; i++) {
                queued[i] = start - batch.members.get(i).enqueuedNanos;
            }
            try {
                listener.batchRan(model, batch.members.get(0).groupKey, n, queued, computeNanos, failed);
            } catch (RuntimeException e) {
                LOG.warnf(e, "batch listener failed");
            }
            LOG.tracef("model %s: batch of %d ran in %.2f ms%s", model, n, (System.nanoTime() - start) / 1e6,
                    failure == null ? "" : " and failed: " + failure);
            return failure;
        }

        /** Completes every member of a batch that ran (or was abandoned). */
        private void finish(Batch batch, Throwable failure) {
            lock.lock();
            try {
                for (Ticket<R> t : batch.members) {
                    t.state = State.DONE;
                }
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < batch.members.size(); i++) {
                Ticket<R> t = batch.members.get(i);
                if (t.expiry != null) {
                    t.expiry.cancel(false);
                }
                if (t.gone != null) {
                    t.future.completeExceptionally(t.gone.asRuntimeException());
                } else if (failure instanceof RunCancelledException) {
                    t.future.completeExceptionally(Status.CANCELLED.withDescription("the batch was cancelled")
                            .asRuntimeException());
                } else if (failure != null) {
                    t.future.completeExceptionally(failure);
                } else {
                    t.future.complete(batch.results.get(i));
                }
            }
        }
    }
}
