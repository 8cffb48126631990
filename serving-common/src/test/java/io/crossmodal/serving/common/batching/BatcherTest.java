package io.crossmodal.serving.common.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher with a fake runner: merging, grouping, limits, deadlines, cancellation, failures. */
class BatcherTest {

    /** What the fake runner saw: one entry per run, the payloads in order. */
    final List<List<String>> runs = new CopyOnWriteArrayList<>();
    final BatchStats stats = new BatchStats();
    /** Open to let runs proceed; runs block on it. */
    volatile CountDownLatch gate = new CountDownLatch(0);
    final CountDownLatch firstRunStarted = new CountDownLatch(1);
    final List<RunControl> controls = new CopyOnWriteArrayList<>();
    /** The thread of each run, in run order. */
    final List<String> runThreads = new CopyOnWriteArrayList<>();
    /** The payloads of each run that got past the gate, in the order they did. */
    final List<List<String>> passedGate = new CopyOnWriteArrayList<>();
    Batcher<String, String> batcher;

    Batcher<String, String> batcher(int maxBatchSize, Duration delay, int capacity) {
        batcher = new Batcher<>("test", (key, payloads, control) -> {
            runs.add(List.copyOf(payloads));
            runThreads.add(Thread.currentThread().getName());
            controls.add(control);
            firstRunStarted.countDown();
            try {
                // a "long run" that notices cancellation, like a search between steps
                while (!gate.await(5, TimeUnit.MILLISECONDS)) {
                    control.checkCancelled();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            control.checkCancelled();
            passedGate.add(List.copyOf(payloads));
            List<String> out = new ArrayList<>();
            for (String p : payloads) {
                if (p.startsWith("poison")) {
                    throw new IllegalStateException("cannot run " + p);
                }
                out.add(key + ":" + p);
            }
            return out;
        }, model -> new BatchSettings(maxBatchSize, delay, capacity), RunControl::new, stats);
        return batcher;
    }

    @AfterEach
    void close() {
        gate.countDown();
        if (batcher != null) {
            batcher.close();
        }
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    static Status.Code failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode();
    }

    @Test
    void concurrentRequestsForOneKeyRunAsOneBatch() throws Exception {
        Batcher<String, String> b = batcher(8, Duration.ofMillis(300), 100);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(b.submit("m", "k", "r" + i, Batcher.NO_DEADLINE).future());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals("k:r" + i, get(futures.get(i)));
        }
        assertEquals(List.of(List.of("r0", "r1", "r2", "r3", "r4")), runs);
        BatchStats.Snapshot s = stats.snapshot("m");
        assertEquals(1, s.batches());
        assertEquals(5, s.largestBatch());
        assertEquals(Map.of(5, 1L), s.batchSizes());
        assertEquals(5.0, s.meanBatchSize(), 1e-9);
    }

    @Test
    void aFullBatchRunsWithoutWaitingAndOnlyEqualKeysShareABatch() throws Exception {
        // a delay no test outlives: a full batch that waited for it would never complete
        Batcher<String, String> b = batcher(2, Duration.ofDays(1), 100);
        CompletableFuture<String> a1 = b.submit("m", "A", "a1", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> b1 = b.submit("m", "B", "b1", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> a2 = b.submit("m", "A", "a2", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> b2 = b.submit("m", "B", "b2", Batcher.NO_DEADLINE).future();
        assertEquals("A:a1", get(a1));
        assertEquals("A:a2", get(a2));
        assertEquals("B:b1", get(b1));
        assertEquals("B:b2", get(b2));
        assertEquals(List.of(List.of("a1", "a2"), List.of("b1", "b2")), runs);
    }

    @Test
    void requestsQueuedBehindARunningBatchFormTheNextBatchesUpToTheLimit() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 100);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        futures.add(b.submit("m", "k", "first", Batcher.NO_DEADLINE).future());
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 10; i++) {
            futures.add(b.submit("m", "k", "r" + i, Batcher.NO_DEADLINE).future());
        }
        assertEquals(10, stats.snapshot("m").queued());
        gate.countDown();
        for (CompletableFuture<String> f : futures) {
            get(f);
        }
        assertEquals(List.of(1, 4, 4, 2), runs.stream().map(List::size).toList());
    }

    @Test
    void aFullQueueIsResourceExhaustedAtOnce() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(1, Duration.ZERO, 2);
        b.submit("m", "k", "running", Batcher.NO_DEADLINE);
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        b.submit("m", "k", "q1", Batcher.NO_DEADLINE);
        b.submit("m", "k", "q2", Batcher.NO_DEADLINE);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> b.submit("m", "k", "q3", Batcher.NO_DEADLINE));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("queue-capacity"), e.getStatus().getDescription());
        assertEquals(1, stats.snapshot("m").rejected());
        // another model has its own queue
        b.submit("other", "k", "x", Batcher.NO_DEADLINE);
    }

    @Test
    void aRequestWhoseDeadlinePassesWhileQueuedIsDeadlineExceededAndNeverRuns() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 10);
        CompletableFuture<String> running = b.submit("m", "k", "running", Batcher.NO_DEADLINE).future();
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> late = b.submit("m", "k", "late", System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)).future();
        CompletableFuture<String> patient = b.submit("m", "k", "patient", Batcher.NO_DEADLINE).future();
        // expired while the worker was busy: the gate that holds the running batch is still closed here
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(late));
        assertEquals(1, gate.getCount());
        assertEquals(1, stats.snapshot("m").expired());
        gate.countDown();
        get(running);
        assertEquals("k:patient", get(patient));
        assertTrue(runs.stream().flatMap(List::stream).noneMatch("late"::equals));
        // a deadline already passed is refused at once
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> b.submit("m", "k", "dead", System.nanoTime() - 1));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }

    @Test
    void aCancelArrivingAtTheDeadlineCountsAsExpired() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 10);
        b.submit("m", "k", "running", Batcher.NO_DEADLINE);
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        // the client's clock ran out a moment before the server's: its cancel is the deadline passing
        Batcher.Ticket<String> t = b.submit("m", "k", "late", System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30));
        t.cancel();
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(t.future()));
        assertEquals(1, stats.snapshot("m").expired());
        assertEquals(0, stats.snapshot("m").cancelled());
    }

    @Test
    void cancellingAQueuedRequestRemovesIt() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 10);
        b.submit("m", "k", "running", Batcher.NO_DEADLINE);
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        Batcher.Ticket<String> gone = b.submit("m", "k", "gone", Batcher.NO_DEADLINE);
        CompletableFuture<String> stays = b.submit("m", "k", "stays", Batcher.NO_DEADLINE).future();
        gone.cancel();
        gone.cancel();
        assertEquals(Status.Code.CANCELLED, failure(gone.future()));
        assertEquals(1, stats.snapshot("m").queued());
        gate.countDown();
        assertEquals("k:stays", get(stays));
        assertEquals(List.of(List.of("running"), List.of("stays")), runs);
        assertEquals(1, stats.snapshot("m").cancelled());
    }

    @Test
    void aRunningBatchIsNotDisturbedByOneCancelButTerminatedWhenAllAreGone() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ofMillis(200), 10);
        Batcher.Ticket<String> x = b.submit("m", "k", "x", Batcher.NO_DEADLINE);
        Batcher.Ticket<String> y = b.submit("m", "k", "y", Batcher.NO_DEADLINE);
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        x.cancel();
        assertFalse(x.future().isDone(), "a running member completes only after the run (its payload is in use)");
        assertFalse(controls.get(0).isCancelled(), "one member left: the run goes on");
        gate.countDown();
        assertEquals("k:y", get(y.future()));
        assertEquals(Status.Code.CANCELLED, failure(x.future()));

        // now a batch whose members all go away: its control is cancelled and the run stops early
        gate = new CountDownLatch(1);
        Batcher.Ticket<String> p = b.submit("m", "k", "p", Batcher.NO_DEADLINE);
        // q's deadline: long enough to join p's batch on a loaded machine, short enough to pass while it runs
        Batcher.Ticket<String> q = b.submit("m", "k", "q", System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5000));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (runs.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("p", "q"), runs.get(1));
        p.cancel();
        // q expires while running: the last member gone terminates the run (the gate never opens)
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(q.future()));
        assertEquals(Status.Code.CANCELLED, failure(p.future()));
        assertTrue(controls.get(1).isCancelled());
        BatchStats.Snapshot s = stats.snapshot("m");
        assertEquals(1, s.terminatedRuns());
        assertEquals(2, s.cancelled());
        assertEquals(1, s.expired());
    }

    @Test
    void aFailedBatchIsRetriedOneByOneSoOnlyTheBadRequestFails() throws Exception {
        Batcher<String, String> b = batcher(8, Duration.ofMillis(200), 10);
        CompletableFuture<String> ok1 = b.submit("m", "k", "ok1", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> bad = b.submit("m", "k", "poison", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> ok2 = b.submit("m", "k", "ok2", Batcher.NO_DEADLINE).future();
        assertEquals("k:ok1", get(ok1));
        assertEquals("k:ok2", get(ok2));
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(List.of(List.of("ok1", "poison", "ok2"), List.of("ok1"), List.of("poison"), List.of("ok2")), runs);
        assertEquals(2, stats.snapshot("m").failedBatches());
    }

    @Test
    void closingFailsQueuedRequestsAndRefusesNewOnes() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(1, Duration.ZERO, 10);
        CompletableFuture<String> running = b.submit("m", "k", "running", Batcher.NO_DEADLINE).future();
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> queued = b.submit("m", "k", "queued", Batcher.NO_DEADLINE).future();
        Thread closer = new Thread(b::close);
        closer.start();
        assertEquals(Status.Code.UNAVAILABLE, failure(queued));
        gate.countDown();
        assertEquals("k:running", get(running), "the running batch finishes");
        closer.join(10_000);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> b.submit("m", "k", "late", Batcher.NO_DEADLINE));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void aListenerSeesLanesAndBatches() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Batcher<String, String> b = new Batcher<>("test", (key, payloads, control) -> payloads,
                model -> new BatchSettings(4, Duration.ofMillis(100), 4), RunControl::new, stats, new Batcher.Listener() {
                    @Override
                    public void laneStarted(String model, java.util.function.IntSupplier depth) {
                        seen.add("lane " + model + " " + depth.getAsInt());
                    }

                    @Override
                    public void batchRan(String model, Object key, int size, long[] queued, long compute, boolean failed) {
                        seen.add("batch " + model + " " + key + " " + size + " " + queued.length + " " + failed);
                        assertTrue(queued[0] >= TimeUnit.MILLISECONDS.toNanos(50), "waited for the batch to fill");
                    }
                });
        batcher = b;
        CompletableFuture<String> x = b.submit("m", "k", "x", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> y = b.submit("m", "k", "y", Batcher.NO_DEADLINE).future();
        assertEquals("x", get(x));
        assertEquals("y", get(y));
        assertEquals(List.of("lane m 0", "batch m k 2 2 false"), seen);
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new BatchSettings(0, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> new BatchSettings(1, Duration.ofMillis(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> new BatchSettings(1, Duration.ZERO, 0));
    }

    @Test
    void aSearchCancelledWithoutAnyMemberGoneFailsThemAsCancelled() throws Exception {
        Batcher<String, String> b = new Batcher<>("test", (key, payloads, control) -> {
            throw new RunCancelledException();
        }, model -> new BatchSettings(4, Duration.ZERO, 4), RunControl::new, stats);
        batcher = b;
        assertEquals(Status.Code.CANCELLED, failure(b.submit("m", "k", "x", Batcher.NO_DEADLINE).future()));
    }

    // --- inline-when-idle: a request that finds its lane idle runs on the caller's thread ---------------------

    @Test
    void aRequestThatFindsItsLaneIdleRunsOnTheCallersThreadBeforeSubmitReturns() throws Exception {
        Batcher<String, String> b = batcher(4, Duration.ZERO, 100);
        assertTrue(b.idle("m"), "a lane not started yet is idle");
        Batcher.Ticket<String> t = b.submit("m", false, "k", "alone", Batcher.NO_DEADLINE, true);
        assertTrue(t.future().isDone(), "ran before submit returned");
        assertTrue(t.ranOnCaller());
        assertEquals("k:alone", get(t.future()));
        // without the flag, and for a heavy request, the lane's own threads run it
        Batcher.Ticket<String> queued = b.submit("m", false, "k", "queued", Batcher.NO_DEADLINE, false);
        assertEquals("k:queued", get(queued.future()));
        Batcher.Ticket<String> heavy = b.submit("m", true, "k", "heavy", Batcher.NO_DEADLINE, true);
        assertEquals("k:heavy", get(heavy.future()));
        assertFalse(queued.ranOnCaller());
        assertFalse(heavy.ranOnCaller());
        assertEquals(List.of(Thread.currentThread().getName(), "test-batch-m", "test-batch-m-heavy"), runThreads);
        assertEquals(3, stats.snapshot("m").batches());
        assertEquals(1, stats.snapshot("m").ranOnCaller(), "counted: " + stats.snapshot("m"));
    }

    @Test
    void withAFillWindowARequestIsQueuedEvenWhenTheLaneIsIdle() throws Exception {
        Batcher<String, String> b = batcher(1, Duration.ofDays(1), 100); // a full batch of 1 runs at once on the worker
        assertFalse(b.idle("m"), "with a fill window nothing runs on its caller");
        assertEquals("k:r", get(b.submit("m", false, "k", "r", Batcher.NO_DEADLINE, true).future()));
        assertEquals(List.of("test-batch-m"), runThreads);
    }

    /**
     * A run on a caller's thread holds one of the lane's worker slots (here the only one): requests arriving
     * meanwhile queue (they do not run on their callers' threads either) and form the next batch on the worker
     * once the caller's run ends; the lane never runs more batches at once than it has workers.
     */
    @Test
    void whileACallersRunHoldsTheOnlySlotLaterRequestsQueueAndBatchTogether() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 100);
        CompletableFuture<Batcher.Ticket<String>> first = CompletableFuture.supplyAsync(
                () -> b.submit("m", false, "k", "first", Batcher.NO_DEADLINE, true));
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        assertFalse(b.idle("m"), "the only slot is taken");
        List<CompletableFuture<String>> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Batcher.Ticket<String> t = b.submit("m", false, "k", "r" + i, Batcher.NO_DEADLINE, true);
            assertFalse(t.ranOnCaller(), "the lane is busy: r" + i + " queues");
            later.add(t.future());
        }
        for (CompletableFuture<String> f : later) {
            assertFalse(f.isDone(), "queued behind the running batch, not run on the caller's thread");
        }
        gate.countDown();
        assertEquals("k:first", get(get(first).future()));
        for (int i = 0; i < 3; i++) {
            assertEquals("k:r" + i, get(later.get(i)));
        }
        assertEquals(List.of(List.of("first"), List.of("r0", "r1", "r2")), runs);
        assertFalse(runThreads.get(0).startsWith("test-batch-"), "the first ran on its caller's thread: " + runThreads);
        assertEquals("test-batch-m", runThreads.get(1));
        assertTrue(get(first).ranOnCaller());
        assertEquals(1, stats.snapshot("m").ranOnCaller(), "only the first ran on its caller: " + stats.snapshot("m"));
    }

    /** close() lets a batch running on a caller's thread end, as it does a worker's (the model stays open under it). */
    @Test
    void closeWaitsForABatchRunningOnACallersThread() throws Exception {
        gate = new CountDownLatch(1);
        Batcher<String, String> b = batcher(4, Duration.ZERO, 100);
        CompletableFuture<Batcher.Ticket<String>> first = CompletableFuture.supplyAsync(
                () -> b.submit("m", false, "k", "first", Batcher.NO_DEADLINE, true));
        assertTrue(firstRunStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<Boolean> closedAfterTheRun = CompletableFuture.supplyAsync(() -> {
            b.close();
            return passedGate.contains(List.of("first"));
        });
        // the lane's worker has nothing to run: it exits at once, while the caller's run still holds the model
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("test-batch-m"))) {
            assertTrue(System.nanoTime() < until, "the worker did not exit");
            Thread.sleep(5);
        }
        assertFalse(closedAfterTheRun.isDone(), "close() returned while a caller's run was in progress");
        gate.countDown();
        assertEquals("k:first", get(get(first).future()));
        assertTrue(get(closedAfterTheRun), "close() returned before the caller's run had ended");
    }
}
