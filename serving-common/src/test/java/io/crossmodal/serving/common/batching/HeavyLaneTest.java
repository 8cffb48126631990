package io.crossmodal.serving.common.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.control.RunControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Expensive requests do not hold up cheap ones, and a model's batch workers run batches side by side. The
 * runner blocks on latches, so "while the expensive request runs" is a fact the test controls, not a timing.
 */
class HeavyLaneTest {

    final BatchStats stats = new BatchStats();
    final CountDownLatch heavyStarted = new CountDownLatch(1);
    final CountDownLatch releaseHeavy = new CountDownLatch(1);
    Batcher<String, String> batcher;

    @AfterEach
    void close() {
        releaseHeavy.countDown();
        if (batcher != null) {
            batcher.close();
        }
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(60, TimeUnit.SECONDS), "hang guard");
    }

    @Test
    void cheapRequestsOfAModelAreAnsweredWhileItsExpensiveRequestRuns() throws Exception {
        batcher = new Batcher<>("test", (key, payloads, control) -> {
            if (payloads.contains("expensive")) {
                heavyStarted.countDown();
                try {
                    await(releaseHeavy);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            List<String> out = new ArrayList<>();
            payloads.forEach(p -> out.add("done " + p));
            return out;
        }, model -> new BatchSettings(8, Duration.ZERO, 16), RunControl::new, stats, new Batcher.Listener() {
        }, 1);
        CompletableFuture<String> expensive = batcher.submit("m", true, "k", "expensive", Batcher.NO_DEADLINE).future();
        await(heavyStarted);
        for (int i = 0; i < 100; i++) {
            // one worker in the normal lane, and it is free: the expensive request runs in the heavy lane
            assertEquals("done cheap" + i, batcher.submit("m", "k", "cheap" + i, Batcher.NO_DEADLINE).future()
                    .get(60, TimeUnit.SECONDS));
        }
        assertFalse(expensive.isDone(), "the expensive request was still running meanwhile");
        assertEquals(0, stats.snapshot("m").queued());
        releaseHeavy.countDown();
        assertEquals("done expensive", expensive.get(60, TimeUnit.SECONDS));
        assertEquals(101, stats.snapshot("m").batchedRequests());
    }

    @Test
    void withoutAHeavyLaneTheSameExpensiveRequestHoldsUpTheModel() throws Exception {
        // the control for the test above: with one worker and everything in one lane, a cheap request waits
        batcher = new Batcher<>("test", (key, payloads, control) -> {
            if (payloads.contains("expensive")) {
                heavyStarted.countDown();
                try {
                    await(releaseHeavy);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return payloads.stream().map(p -> "done " + p).toList();
        }, model -> new BatchSettings(8, Duration.ZERO, 16), RunControl::new, stats, new Batcher.Listener() {
        }, 1);
        CompletableFuture<String> expensive = batcher.submit("m", false, "k", "expensive", Batcher.NO_DEADLINE).future();
        await(heavyStarted);
        CompletableFuture<String> cheap = batcher.submit("m", "k", "cheap", Batcher.NO_DEADLINE).future();
        assertEquals(1, stats.snapshot("m").queued(), "the cheap request waits behind the expensive one");
        assertFalse(cheap.isDone());
        releaseHeavy.countDown();
        assertEquals("done cheap", cheap.get(60, TimeUnit.SECONDS));
        assertEquals("done expensive", expensive.get(60, TimeUnit.SECONDS));
    }

    @Test
    void twoWorkersRunTwoBatchesOfOneModelAtOnce() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        batcher = new Batcher<>("test", (key, payloads, control) -> {
            bothRunning.countDown();
            try {
                // each run waits until the other one runs too: only possible with two workers
                await(bothRunning);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return payloads.stream().map(p -> key + ":" + p).toList();
        }, model -> new BatchSettings(1, Duration.ZERO, 16), RunControl::new, stats, new Batcher.Listener() {
        }, 2);
        assertEquals(2, batcher.workers());
        CompletableFuture<String> a = batcher.submit("m", "k", "a", Batcher.NO_DEADLINE).future();
        CompletableFuture<String> b = batcher.submit("m", "k", "b", Batcher.NO_DEADLINE).future();
        assertEquals("k:a", a.get(60, TimeUnit.SECONDS));
        assertEquals("k:b", b.get(60, TimeUnit.SECONDS));
        assertEquals(2, stats.snapshot("m").batches());
    }
}
