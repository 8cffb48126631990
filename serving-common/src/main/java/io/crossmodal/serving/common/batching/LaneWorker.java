package io.crossmodal.serving.common.batching;

import io.crossmodal.runtime.control.RunCancelledException;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One batch thread of a {@link Lane}: takes the lane's next batch, runs it, retries a failed batch of
 * several requests one request at a time, and completes every member's ticket exactly once. The lane also
 * uses one to run a batch on a caller's thread ({@link #runHere}).
 */
final class LaneWorker<P, R> implements Runnable {

    private static final Logger LOG = Logger.getLogger(LaneWorker.class);

    private final Lane<P, R> lane;
    private final Batcher<P, R> batcher;

    LaneWorker(Lane<P, R> lane) {
        this.lane = lane;
        this.batcher = lane.batcher;
    }

    @Override
    public void run() {
        while (true) {
            Batch<R> batch;
            try {
                batch = lane.next();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (batch == null) {
                return;
            }
            runHere(batch);
        }
    }

    /** Runs one batch on this thread (a worker's, or the caller's for a request that found the lane idle). */
    void runHere(Batch<R> batch) {
        try {
            execute(batch);
        } catch (Throwable t) {
            // never leave a member hanging (and holding its resources) because the loop broke
            LOG.errorf(t, "model %s: batching failed unexpectedly; failing the batch", lane.model);
            try {
                finish(batch, t);
            } catch (Throwable ignored) {
                // finish completes futures only; nothing more to do
            }
        } finally {
            lane.batchDone();
        }
    }

    private void execute(Batch<R> batch) {
        Throwable failure = attempt(batch);
        if (failure != null && !(failure instanceof RunCancelledException) && batch.members.size() > 1) {
            LOG.warnf(failure, "model %s: a batch of %d requests failed; retrying them one at a time", lane.model,
                    batch.members.size());
            List<Batch<R>> solos = new ArrayList<>();
            lane.lock.lock();
            try {
                for (Batcher.Ticket<R> t : batch.members) {
                    if (t.gone == null) {
                        solos.add(lane.start(List.of(t)));
                    }
                }
            } finally {
                lane.lock.unlock();
            }
            // members cancelled during the failed run were not restarted: they complete as gone
            finish(new Batch<>(batch.members.stream().filter(t -> t.batch == batch).toList(), batch.control), failure);
            for (Batch<R> solo : solos) {
                finish(solo, attempt(solo));
            }
            return;
        }
        finish(batch, failure);
    }

    /** Runs a batch (its results go to {@link Batch#results}) and closes its control; returns its failure or null. */
    private Throwable attempt(Batch<R> batch) {
        int n = batch.members.size();
        List<Object> payloads = new ArrayList<>(n);
        batch.members.forEach(t -> payloads.add(t.payload));
        long start = System.nanoTime();
        Throwable failure = null;
        try {
            batch.control.checkCancelled();
            @SuppressWarnings("unchecked")
            List<R> results = batcher.runner.run(batch.members.get(0).groupKey, (List<P>) payloads, batch.control);
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
        lane.counters.batch(n);
        boolean failed = failure != null && !(failure instanceof RunCancelledException);
        if (failed) {
            lane.counters.failedBatches.increment();
        }
        long[] queued = new long[n];
        for (int i = 0; i < n; i++) {
            queued[i] = start - batch.members.get(i).enqueuedNanos;
        }
        try {
            batcher.listener.batchRan(lane.model, batch.members.get(0).groupKey, n, queued, computeNanos, failed);
        } catch (RuntimeException e) {
            LOG.warnf(e, "batch listener failed");
        }
        LOG.tracef("model %s: batch of %d ran in %.2f ms%s", lane.model, n, (System.nanoTime() - start) / 1e6,
                failure == null ? "" : " and failed: " + failure);
        return failure;
    }

    /** Completes every member of a batch that ran (or was abandoned). */
    private void finish(Batch<R> batch, Throwable failure) {
        lane.lock.lock();
        try {
            for (Batcher.Ticket<R> t : batch.members) {
                t.state = Batcher.State.DONE;
            }
        } finally {
            lane.lock.unlock();
        }
        for (int i = 0; i < batch.members.size(); i++) {
            Batcher.Ticket<R> t = batch.members.get(i);
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
