package io.crossmodal.serving.common.batching;

import io.crossmodal.runtime.control.RunControl;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One model's queue (its normal or its heavy lane): admission (capacity, deadline, shutdown), removal
 * of cancelled and expired requests, and forming the next batch for a {@link LaneWorker}. Every
 * ticket's state changes under {@link #lock}.
 */
final class Lane<P, R> {

    private static final Logger LOG = Logger.getLogger(Lane.class);

    final Batcher<P, R> batcher;
    final String model;
    final boolean heavy;
    final BatchSettings settings;
    final long maxDelayNanos;
    final BatchStats.ModelStats counters;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    private final ArrayDeque<Batcher.Ticket<R>> queue = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private final int workerCount;
    /** Runs a batch on a caller's thread ({@link #enqueue} with {@code runHereIfIdle}). */
    private final LaneWorker<P, R> inline;
    /** Batches running now, on the workers or on callers' threads (lock held): never more than the workers. */
    private int running;
    /** What this lane last added to the model's shared queue-depth counter (lock held). */
    private int reportedDepth;
    private boolean stopping;

    Lane(Batcher<P, R> batcher, String model, boolean heavy, int workerCount) {
        this.batcher = batcher;
        this.model = model;
        this.heavy = heavy;
        this.settings = batcher.settings.apply(model);
        this.maxDelayNanos = settings.maxQueueDelay().toNanos();
        this.counters = batcher.stats.model(model);
        this.workerCount = workerCount;
        this.inline = new LaneWorker<>(this);
        if (!heavy) {
            try {
                batcher.listener.laneStarted(model, counters.queued::get);
            } catch (RuntimeException e) {
                LOG.warnf(e, "batch listener failed");
            }
        }
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(new LaneWorker<>(this), batcher.name + "-batch-" + model + (heavy ? "-heavy" : "")
                    + (workerCount > 1 ? "-" + i : ""));
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
        LOG.debugf("batching lane for model %s%s: %s, %d worker(s)", model, heavy ? " (heavy requests)" : "", settings,
                workerCount);
    }

    /** Keeps the model's queue-depth counter (shared by its lanes) in step with this queue (lock held). */
    private void depthChanged() {
        counters.queued.addAndGet(queue.size() - reportedDepth);
        reportedDepth = queue.size();
    }

    /** Whether a request would run at once on its caller's thread ({@link #enqueue} with {@code runHereIfIdle}). */
    boolean idle() {
        lock.lock();
        try {
            return !stopping && idleLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Nothing queued, fewer batches running than workers, no fill window (the lock held). */
    private boolean idleLocked() {
        return maxDelayNanos == 0 && queue.isEmpty() && running < workerCount;
    }

    /**
     * Queues a request; with {@code runHereIfIdle}, a request that finds the lane idle (nothing queued, fewer batches
     * running than workers, no fill window) instead runs at once, alone, on the calling thread, and is complete when
     * this returns: it would have been the next batch anyway, and the hand-off to a worker thread is saved.
     */
    Batcher.Ticket<R> enqueue(Object groupKey, Object payload, long deadlineNanos, boolean runHereIfIdle) {
        Batcher.Ticket<R> t = new Batcher.Ticket<>(this, groupKey, payload, deadlineNanos);
        Batch<R> here = null;
        lock.lock();
        try {
            if (stopping) {
                throw Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException();
            }
            if (deadlineNanos != Batcher.NO_DEADLINE && deadlineNanos - System.nanoTime() <= 0) {
                counters.expired.increment();
                throw Status.DEADLINE_EXCEEDED.withDescription("deadline passed before model " + model
                        + " could queue the request").asRuntimeException();
            }
            if (runHereIfIdle && idleLocked()) {
                here = start(List.of(t));
                running++;
                t.ranOnCaller = true;
                counters.ranOnCaller.increment();
                scheduleExpiry(t); // as for any running request: at its deadline it is gone, and its run terminated
            } else {
                queueLocked(t);
            }
        } finally {
            lock.unlock();
        }
        if (here != null) {
            inline.runHere(here); // complete when this returns
        }
        return t;
    }

    /** Adds a request to the queue, or refuses it when the queue is full (lock held). */
    private void queueLocked(Batcher.Ticket<R> t) {
        if (queue.size() >= settings.queueCapacity()) {
            counters.rejected.increment();
            throw Status.RESOURCE_EXHAUSTED.withDescription("model " + model + " is overloaded: "
                    + queue.size() + (heavy ? " expensive" : "") + " requests are already waiting (the queue capacity, "
                    + "crossmodal.serving.batching.queue-capacity); retry later").asRuntimeException();
        }
        queue.addLast(t);
        depthChanged();
        scheduleExpiry(t);
        changed.signalAll();
    }

    /** Has the timer take the request out at its deadline, if it has one (lock held). */
    private void scheduleExpiry(Batcher.Ticket<R> t) {
        if (t.deadlineNanos != Batcher.NO_DEADLINE) {
            t.expiry = batcher.timer.schedule(() -> remove(t, Status.DEADLINE_EXCEEDED.withDescription(
                    "deadline exceeded while waiting for model " + model), true),
                    t.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /** A batch ended (lock not held): its slot is free; a worker waiting for one takes the next batch. */
    void batchDone() {
        lock.lock();
        try {
            running--;
            if (!queue.isEmpty() || stopping) {
                changed.signalAll(); // workers with work to take, or close() waiting; an idle lane stays quiet
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes a request out: a queued one now, a running one from its batch's live count. */
    void remove(Batcher.Ticket<R> t, Status why, boolean expired) {
        boolean completeNow = false;
        RunControl terminate = null;
        lock.lock();
        try {
            switch (t.state) {
                case QUEUED -> {
                    queue.remove(t);
                    depthChanged();
                    t.state = Batcher.State.DONE;
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

    /** Stops taking requests and fails the queued ones with UNAVAILABLE; running batches finish. */
    void stop() {
        List<Batcher.Ticket<R>> dropped;
        lock.lock();
        try {
            stopping = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            dropped.forEach(t -> t.state = Batcher.State.DONE);
            depthChanged();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Batcher.Ticket<R> t : dropped) {
            if (t.expiry != null) {
                t.expiry.cancel(false);
            }
            t.future.completeExceptionally(Status.UNAVAILABLE.withDescription("the server is shutting down")
                    .asRuntimeException());
        }
    }

    /** Waits for the workers to exit and the batches on callers' threads to end, until {@code untilNanos}; false when interrupted. */
    boolean join(long untilNanos) {
        try {
            for (Thread worker : workers) {
                worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime())));
            }
            // and for batches running on callers' threads, which use the model as the workers do
            lock.lock();
            try {
                long left;
                while (running > 0 && (left = untilNanos - System.nanoTime()) > 0) {
                    changed.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /**
     * Waits for the next batch (null when stopping): the oldest request decides the group; it runs when
     * the group fills a batch or the oldest has waited {@code maxQueueDelay}, and a slot is free (fewer batches
     * running than workers). The caller calls {@link #batchDone()} when it has run.
     */
    Batch<R> next() throws InterruptedException {
        lock.lock();
        try {
            Batcher.Ticket<R> head;
            while (true) {
                if (stopping) {
                    return null;
                }
                head = queue.peekFirst();
                if (head == null || running >= workerCount) {
                    changed.await(); // nothing to run, or every slot taken by batches run on callers' threads
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
            List<Batcher.Ticket<R>> members = new ArrayList<>(Math.min(queue.size(), settings.maxBatchSize()));
            for (Iterator<Batcher.Ticket<R>> it = queue.iterator(); it.hasNext() && members.size() < settings.maxBatchSize(); ) {
                Batcher.Ticket<R> t = it.next();
                if (t.groupKey.equals(head.groupKey)) {
                    it.remove();
                    members.add(t);
                }
            }
            depthChanged();
            running++;
            return start(members);
        } finally {
            lock.unlock();
        }
    }

    private int countGroup(Object key) {
        int n = 0;
        for (Batcher.Ticket<R> t : queue) {
            if (t.groupKey.equals(key) && ++n >= settings.maxBatchSize()) {
                break;
            }
        }
        return n;
    }

    /** Marks the members running in a new batch (lock held). */
    Batch<R> start(List<Batcher.Ticket<R>> members) {
        Batch<R> b = new Batch<>(members, newControl());
        for (Batcher.Ticket<R> t : members) {
            t.state = Batcher.State.RUNNING;
            t.batch = b;
        }
        return b;
    }

    private RunControl newControl() {
        try {
            return batcher.controls.get();
        } catch (RuntimeException e) {
            LOG.warnf(e, "cannot create a run control; this batch can only be stopped between steps");
            return new RunControl();
        }
    }
}
