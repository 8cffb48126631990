package io.crossmodal.runtime.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded model loads ({@link LoadLimiter}): requests cycling through old versions of a model (more than the
 * cache holds) load at most max-per-minute versions a minute and max-concurrent at once; a broken version is
 * loaded once per failure-memory, not once per request; preloads and reloads are not bounded. A fake clock
 * drives the minute: no sleeps.
 */
class ModelCacheLoadLimitTest {

    @TempDir
    Path root;

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final AtomicInteger loads = new AtomicInteger();

    static final class Fake implements AutoCloseable {
        @Override
        public void close() {
        }
    }

    private void versions(int n) {
        for (int i = 0; i < n; i++) {
            Manifest draft = Manifest.builder("test").vocabulary("v", List.of("<pad>", "<s>", "</s>", "<unk>", "a")).build();
            new BundleWriter(root).write("m", draft, Map.of("data.bin", FileContent.of(("v" + i).getBytes(StandardCharsets.UTF_8))));
        }
    }

    private ModelCache<Fake> cache(int capacity, LoadLimiter limiter) {
        ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), (Bundle b) -> {
            loads.incrementAndGet();
            return new Fake();
        }, capacity, "fake");
        cache.limitLoads(limiter);
        return cache;
    }

    private void use(ModelCache<Fake> cache, int version) {
        try (ModelCache.Lease<Fake> lease = cache.acquire(ModelSelector.version("m", Integer.toString(version)))) {
            assertEquals(version, lease.key().version());
        }
    }

    @Test
    void cyclingThroughOldVersionsIsBoundedPerMinuteAndLoadedVersionsStillServe() {
        versions(6);
        try (ModelCache<Fake> cache = cache(1, new LoadLimiter(2, 3, Duration.ZERO, Duration.ZERO, now::get))) {
            use(cache, 1);
            use(cache, 2);
            use(cache, 3); // three loads: the minute's budget (capacity 1: each evicts the previous one)
            ModelLoadRejectedException e = assertThrows(ModelLoadRejectedException.class, () -> use(cache, 4));
            assertTrue(e.getMessage().contains("m/4") && e.getMessage().contains("max-per-minute"), e.getMessage());
            assertEquals(3, loads.get(), "the refused request loaded nothing");
            use(cache, 3); // loaded: needs no load, still served
            assertEquals(List.of(new ModelKey("m", 3)), cache.loaded());
            now.addAndGet(TimeUnit.SECONDS.toNanos(20)); // a third of a minute refills one load
            use(cache, 4);
            assertThrows(ModelLoadRejectedException.class, () -> use(cache, 5));
            assertEquals(4, loads.get());
            // a preload (startup) is not counted against requests
            assertEquals(new ModelKey("m", 6), cache.preload(ModelSelector.version("m", "6")));
            assertEquals(5, loads.get());
        }
    }

    @Test
    void loadsBeyondMaxConcurrentWaitThenAreRefused() throws Exception {
        versions(3);
        CountDownLatch inLoad = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadLimiter limiter = new LoadLimiter(1, 100, Duration.ZERO, Duration.ZERO, now::get);
        try (ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), b -> {
            if (b.version() == 1) {
                inLoad.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            loads.incrementAndGet();
            return new Fake();
        }, 4, "fake")) {
            cache.limitLoads(limiter);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> use(cache, 1));
            assertTrue(inLoad.await(60, TimeUnit.SECONDS));
            assertEquals(1, limiter.running());
            // max-wait 0: a second version's load is refused at once, naming the cap
            ModelLoadRejectedException e = assertThrows(ModelLoadRejectedException.class, () -> use(cache, 2));
            assertTrue(e.getMessage().contains("max-concurrent"), e.getMessage());
            release.countDown();
            first.get(60, TimeUnit.SECONDS);
            use(cache, 2);
            assertEquals(2, loads.get());
            assertEquals(0, limiter.running());
        }
    }

    @Test
    void aLoadWaitsForAFreeSlotWithinMaxWait() throws Exception {
        versions(2);
        CountDownLatch inLoad = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadLimiter limiter = new LoadLimiter(1, 100, Duration.ofMinutes(5), Duration.ZERO, now::get);
        try (ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), b -> {
            if (b.version() == 1) {
                inLoad.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            loads.incrementAndGet();
            return new Fake();
        }, 4, "fake")) {
            cache.limitLoads(limiter);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> use(cache, 1));
            assertTrue(inLoad.await(60, TimeUnit.SECONDS));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> use(cache, 2));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (limiter.waiting() != 1) {
                assertTrue(System.nanoTime() < until, "the second load never waited");
                Thread.sleep(5);
            }
            assertEquals(0, loads.get(), "the second load waits while the first runs");
            release.countDown();
            first.get(60, TimeUnit.SECONDS);
            second.get(60, TimeUnit.SECONDS);
            assertEquals(2, loads.get());
        }
    }

    @Test
    void aBrokenVersionIsLoadedOncePerFailureMemoryNotOncePerRequest() {
        versions(1);
        AtomicInteger attempts = new AtomicInteger();
        try (ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), b -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("graph does not fit");
        }, 4, "fake")) {
            cache.limitLoads(new LoadLimiter(2, 1000, Duration.ZERO, Duration.ofSeconds(10), now::get));
            ModelLoadException first = assertThrows(ModelLoadException.class, () -> use(cache, 1));
            for (int i = 0; i < 50; i++) {
                assertSame(first, assertThrows(ModelLoadException.class, () -> use(cache, 1)), "the remembered failure");
            }
            assertEquals(1, attempts.get());
            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            assertThrows(ModelLoadException.class, () -> use(cache, 1));
            assertEquals(2, attempts.get(), "tried again once the failure memory ran out");
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new LoadLimiter(0, 1, Duration.ZERO, Duration.ZERO, now::get));
        assertThrows(IllegalArgumentException.class, () -> new LoadLimiter(1, 0, Duration.ZERO, Duration.ZERO, now::get));
    }
}
