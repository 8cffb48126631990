package io.crossmodal.runtime.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.Bundle;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm-up on load, and following a model's default version: pin, switch, reject, retire. */
class ModelCacheFollowTest {

    @TempDir
    Path root;

    /** A served value that records its warm-up and close. */
    static final class Fake implements AutoCloseable {
        final Bundle bundle;
        volatile boolean warmed;
        volatile boolean closed;

        Fake(Bundle bundle) {
            this.bundle = bundle;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<Fake> built = new ArrayList<>();
    /** Versions whose warm-up fails (an "incompatible" bundle that verifies but cannot run). */
    final Set<Integer> failWarmUp = ConcurrentHashMap.newKeySet();

    ModelCache<Fake> cache(ModelRegistry registry, int capacity) {
        ModelCache<Fake> cache = new ModelCache<>(registry, b -> {
            Fake f = new Fake(b);
            synchronized (built) {
                built.add(f);
            }
            return f;
        }, f -> {
            if (failWarmUp.contains(f.bundle.version())) {
                throw new IllegalStateException("graph output has shape [1, 7], expected [1, 9]");
            }
            f.warmed = true;
        }, capacity, "fake");
        cache.followDefaults(true);
        return cache;
    }

    Bundle write(String model) {
        Manifest draft = Manifest.builder("test").vocabulary("v", List.of("<pad>", "<s>", "</s>", "<unk>", "a")).build();
        return new BundleWriter(root).write(model, draft,
                Map.of("data.bin", FileContent.of("payload".getBytes(StandardCharsets.UTF_8))));
    }

    static int version(ModelCache<Fake> cache, ModelSelector selector) {
        try (ModelCache.Lease<Fake> lease = cache.acquire(selector)) {
            assertTrue(lease.value().warmed, "only warmed values are served");
            assertFalse(lease.value().closed);
            return lease.key().version();
        }
    }

    /** For callers that must not block: a lease only on a followed default that is loaded, null otherwise. */
    @Test
    void acquireIfReadyLeasesOnlyAFollowedLoadedDefault() {
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        try (ModelCache<Fake> cache = cache(registry, 4)) {
            assertEquals(null, cache.acquireIfReady(ModelSelector.defaultOf("m")), "not followed yet: needs a registry read");
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            try (ModelCache.Lease<Fake> lease = cache.acquireIfReady(ModelSelector.defaultOf("m"))) {
                assertEquals(new ModelKey("m", 1), lease.key());
                assertTrue(lease.value().warmed);
                // the lease holds the version like any other: a switch leaves it open until it is released
                registry.setAlias("m", "production", 2);
                assertEquals(ModelCache.Outcome.SWITCHED, cache.refresh("m").outcome());
                assertFalse(lease.value().closed);
            }
            try (ModelCache.Lease<Fake> lease = cache.acquireIfReady(ModelSelector.alias("m", "production"))) {
                assertEquals(2, lease.key().version(), "the alias the default follows, named");
            }
            assertEquals(null, cache.acquireIfReady(ModelSelector.version("m", "2")), "a version selector reads the registry");
            assertEquals(null, cache.acquireIfReady(ModelSelector.defaultOf("other")));
        }
    }

    @Test
    void aWarmUpFailureFailsTheLoadAndClosesTheValue() {
        write("m");
        failWarmUp.add(1);
        try (ModelCache<Fake> cache = cache(new ModelRegistry(root), 4)) {
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> cache.acquire(ModelSelector.version("m", "1")));
            assertTrue(e.getMessage().contains("warm-up") && e.getMessage().contains("m/1"), e.getMessage());
            assertTrue(built.get(0).closed);
            assertTrue(cache.loaded().isEmpty());
            assertTrue(cache.followed().isEmpty());
        }
    }

    @Test
    void theDefaultIsPinnedUntilARefreshSwitchesItAndTheOldVersionClosesAfterItsLastLease() {
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        try (ModelCache<Fake> cache = cache(registry, 4)) {
            assertEquals(ModelCache.Outcome.NOT_FOLLOWED, cache.refresh("m").outcome());
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            assertEquals(Map.of("m", new ModelKey("m", 1)), cache.followed());
            assertEquals(ModelCache.Outcome.UNCHANGED, cache.refresh("m").outcome());

            ModelCache.Lease<Fake> inFlight = cache.acquire(ModelSelector.defaultOf("m"));
            Fake v1 = inFlight.value();
            registry.setAlias("m", "production", 2);
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")), "pinned: the move is seen by the poller, not per request");
            assertEquals(1, version(cache, ModelSelector.alias("m", "production")));

            ModelCache.Refresh r = cache.refresh("m");
            assertEquals(ModelCache.Outcome.SWITCHED, r.outcome());
            assertEquals(new ModelKey("m", 1), r.from());
            assertEquals(new ModelKey("m", 2), r.to());
            assertEquals(1, r.inFlight());
            assertEquals(2, version(cache, ModelSelector.defaultOf("m")));
            assertEquals(2, version(cache, ModelSelector.alias("m", "production")));
            assertEquals(new ModelKey("m", 2), cache.resolve(ModelSelector.defaultOf("m")));
            assertFalse(v1.closed, "still used by a request in flight");
            assertSame(v1, inFlight.value());
            inFlight.close();
            assertTrue(v1.closed, "closed with its last lease");
            assertEquals(List.of(new ModelKey("m", 2)), cache.loaded());
            // an explicit version still works: loaded again on demand
            assertEquals(1, version(cache, ModelSelector.version("m", "1")));
        }
    }

    @Test
    void aCorruptOrFailingNewVersionIsRejectedAndTheOldOneKeepsServing() throws Exception {
        write("m");
        Bundle v2 = write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        Files.writeString(v2.directory().resolve("data.bin"), "tampered");
        failWarmUp.add(3);
        try (ModelCache<Fake> cache = cache(registry, 4)) {
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));

            registry.setAlias("m", "production", 2);
            ModelCache.Refresh r = cache.refresh("m");
            assertEquals(ModelCache.Outcome.REJECTED, r.outcome());
            assertTrue(r.reason().contains("checksum"), r.reason());
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            // not retried while the alias stays there
            assertEquals(ModelCache.Outcome.REJECTED, cache.refresh("m").outcome());

            registry.setAlias("m", "production", 3);
            r = cache.refresh("m");
            assertEquals(ModelCache.Outcome.REJECTED, r.outcome());
            assertTrue(r.reason().contains("warm-up"), r.reason());
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            assertEquals(List.of(new ModelKey("m", 1)), cache.loaded());

            // an unreadable alias file: nothing to switch to, keep serving
            Files.writeString(root.resolve("m").resolve("aliases").resolve("production"), "garbage\n");
            r = cache.refresh("m");
            assertEquals(ModelCache.Outcome.UNRESOLVABLE, r.outcome());
            assertTrue(r.reason().contains("does not hold a version"), r.reason());
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            // fixed again: back to normal
            registry.setAlias("m", "production", 1);
            assertEquals(ModelCache.Outcome.UNCHANGED, cache.refresh("m").outcome());
        }
    }

    @Test
    void withoutAProductionAliasTheDefaultFollowsTheLatestVersion() {
        write("m");
        try (ModelCache<Fake> cache = cache(new ModelRegistry(root), 4)) {
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            assertThrows(ModelNotFoundException.class, () -> cache.acquire(ModelSelector.alias("m", "production")),
                    "the pin does not invent a production alias");
            write("m");
            assertEquals(ModelCache.Outcome.SWITCHED, cache.refresh("m").outcome());
            assertEquals(2, version(cache, ModelSelector.defaultOf("m")));
        }
    }

    @Test
    void pinnedVersionsAreNotEvictedForCapacity() {
        write("m");
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        try (ModelCache<Fake> cache = cache(registry, 1)) {
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            assertEquals(2, version(cache, ModelSelector.version("m", "2")));
            assertEquals(3, version(cache, ModelSelector.version("m", "3")));
            assertTrue(cache.loaded().contains(new ModelKey("m", 1)), cache.loaded().toString());
            assertEquals(1, built.stream().filter(f -> f.bundle.version() == 1).count());
            // a switch under capacity 1 keeps the new version (it is pinned while it loads)
            registry.setAlias("m", "production", 2);
            assertEquals(ModelCache.Outcome.SWITCHED, cache.refresh("m").outcome());
            assertEquals(2, version(cache, ModelSelector.defaultOf("m")));
            assertEquals(List.of(new ModelKey("m", 2)), cache.loaded());
        }
    }

    @Test
    void followingOffResolvesTheRegistryOnEveryRequest() {
        write("m");
        write("m");
        ModelRegistry registry = new ModelRegistry(root);
        registry.setAlias("m", "production", 1);
        try (ModelCache<Fake> cache = cache(registry, 4)) {
            cache.followDefaults(false);
            assertEquals(1, version(cache, ModelSelector.defaultOf("m")));
            registry.setAlias("m", "production", 2);
            assertEquals(2, version(cache, ModelSelector.defaultOf("m")));
            assertTrue(cache.followed().isEmpty());
        }
    }
}
