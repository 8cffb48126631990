package io.crossmodal.runtime.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {

    @TempDir
    Path root;

    /** A fake served value recording whether it was closed. */
    static final class Fake implements AutoCloseable {
        final Bundle bundle;
        volatile boolean closed;

        Fake(Bundle bundle) {
            this.bundle = bundle;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<Fake> built = new ArrayList<>();
    private final AtomicInteger loads = new AtomicInteger();

    private ModelCache<Fake> cache(ModelRegistry registry, int capacity) {
        return new ModelCache<>(registry, b -> {
            loads.incrementAndGet();
            Fake f = new Fake(b);
            synchronized (built) {
                built.add(f);
            }
            return f;
        }, capacity, "fake");
    }

    private Bundle write(String model) {
        Manifest draft = Manifest.builder("test").vocabulary("v", List.of("<pad>", "<s>", "</s>", "<unk>", "a")).build();
        return new BundleWriter(root).write(model, draft,
                Map.of("data.bin", FileContent.of("payload".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void defaultSelectorIsProductionAliasElseLatest() {
        write("m");
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        try (ModelCache<Fake> cache = cache(registry, 4)) {
            assertEquals(new ModelKey("m", 3), cache.resolve(ModelSelector.defaultOf("m")));
            registry.setAlias("m", "production", 2);
            assertEquals(new ModelKey("m", 2), cache.resolve(ModelSelector.defaultOf("m")));
            assertEquals(new ModelKey("m", 1), cache.resolve(ModelSelector.version("m", "1")));
            assertEquals(new ModelKey("m", 2), cache.resolve(ModelSelector.alias("m", "production")));
            assertEquals(new ModelKey("m", 3), cache.resolve(ModelSelector.alias("m", "latest")));
        }
    }

    @Test
    void unknownModelVersionOrAliasIsNotFound() {
        write("m");
        try (ModelCache<Fake> cache = cache(new ModelRegistry(root), 4)) {
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.defaultOf("nope")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.defaultOf("")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.defaultOf("../etc")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.version("m", "7")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.version("m", "abc")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.alias("m", "candidate")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.alias("m", "1")));
            assertTrue(cache.loaded().isEmpty());
        }
    }

    @Test
    void loadsOncePerVersionAndShares() {
        write("m");
        try (ModelCache<Fake> cache = cache(new ModelRegistry(root), 4)) {
            Fake first;
            try (ModelCache.Lease<Fake> lease = cache.acquire(ModelSelector.defaultOf("m"))) {
                first = lease.value();
                assertEquals("m", lease.bundle().model());
            }
            try (ModelCache.Lease<Fake> lease = cache.acquire(ModelSelector.version("m", "1"))) {
                assertTrue(first == lease.value());
            }
            assertEquals(1, loads.get());
            assertFalse(first.closed);
        }
        assertTrue(built.get(0).closed, "closing the cache closes loaded models");
    }

    @Test
    void evictedModelIsClosedOnlyAfterItsLastLease() {
        write("a");
        write("b");
        try (ModelCache<Fake> cache = cache(new ModelRegistry(root), 1)) {
            ModelCache.Lease<Fake> leaseA = cache.acquire(ModelSelector.defaultOf("a"));
            Fake a = leaseA.value();
            try (ModelCache.Lease<Fake> leaseB = cache.acquire(ModelSelector.defaultOf("b"))) {
                assertEquals(List.of(new ModelKey("b", 1)), cache.loaded());
                assertFalse(a.closed, "still in use by leaseA");
                leaseA.close();
                assertTrue(a.closed);
                assertFalse(leaseB.value().closed);
            }
        }
    }

    @Test
    void failedLoadsAreNotCached() throws Exception {
        write("m");
        Bundle b = write("m");
        Files.writeString(b.directory().resolve("data.bin"), "tampered");
        AtomicInteger attempts = new AtomicInteger();
        try (ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), bundle -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalArgumentException("bundle has no component 'p2g'");
            }
            return new Fake(bundle);
        }, 4, "component p2g")) {
            assertThrows(BundleCorruptException.class, () -> cache.acquire(ModelSelector.defaultOf("m")));
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> cache.acquire(ModelSelector.version("m", "1")));
            assertTrue(e.getMessage().contains("component p2g") && e.getMessage().contains("m/1"), e.getMessage());
            try (ModelCache.Lease<Fake> lease = cache.acquire(ModelSelector.version("m", "1"))) {
                assertEquals(1, lease.key().version());
            }
            assertEquals(List.of(new ModelKey("m", 1)), cache.loaded());
        }
    }

    @Test
    void concurrentFirstRequestsLoadOnce() throws Exception {
        write("m");
        CountDownLatch inLoader = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ModelCache<Fake> cache = new ModelCache<>(new ModelRegistry(root), bundle -> {
            loads.incrementAndGet();
            inLoader.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Fake(bundle);
        }, 4, "fake")) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Fake>> futures = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    futures.add(pool.submit(() -> {
                        try (ModelCache.Lease<Fake> lease = cache.acquire(ModelSelector.defaultOf("m"))) {
                            return lease.value();
                        }
                    }));
                }
                assertTrue(inLoader.await(10, TimeUnit.SECONDS));
                release.countDown();
                Fake first = futures.get(0).get(10, TimeUnit.SECONDS);
                for (Future<Fake> f : futures) {
                    assertTrue(first == f.get(10, TimeUnit.SECONDS));
                }
                assertEquals(1, loads.get());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closedCacheRejectsAcquire() {
        write("m");
        ModelCache<Fake> cache = cache(new ModelRegistry(root), 2);
        cache.close();
        assertThrows(IllegalStateException.class, () -> cache.acquire(ModelSelector.defaultOf("m")));
    }

    @Test
    void catalogListsVersionsWithManifestsAndAliases() {
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        registry.setAlias("m", "candidate", 2);
        List<ModelCatalog.VersionSummary> versions = new ModelCatalog(registry).versions("m");
        assertEquals(2, versions.size());
        assertEquals(List.of("production"), versions.get(0).aliases());
        assertEquals(List.of("candidate"), versions.get(1).aliases());
        assertEquals("test", versions.get(1).manifest().orElseThrow().family());
        assertThrows(ModelNotFoundException.class, () -> new ModelCatalog(registry).versions("nope"));
    }
}
