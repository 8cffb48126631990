package io.crossmodal.runtime.cache;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Loaded models keyed by (model, version), loaded lazily on first use and shared by all requests.
 *
 * <p>Every request {@link #acquire acquires} a {@link Lease} and closes it when done. Selectors are
 * re-resolved on every acquire (a few small file reads), so moving an alias takes effect on the
 * next request without a restart; bundle versions are immutable, so a loaded (model, version) never
 * goes stale. Concurrent first requests for the same version load it once; a failed load is not
 * cached (the next request tries again). When more than {@code capacity} versions are loaded the
 * least recently used one is evicted; an evicted or closed value is closed only once no lease uses
 * it any more, so a session is never closed under a running request.
 *
 * <p><b>Warm-up.</b> An optional warmer runs every freshly built value once (e.g. one tiny inference)
 * before any request gets it; a value that fails its warm-up is closed and the load fails with a
 * {@link ModelLoadException}.
 *
 * <p><b>Following the default version (hot reload).</b> With {@link #followDefaults(boolean)} on, the
 * first request (or preload) that uses a model's default selector ({@link ModelSelector.Kind#DEFAULT},
 * or the alias {@value #DEFAULT_ALIAS} explicitly) pins the version it loaded: later such requests
 * take the pinned version without touching the registry. {@link #refresh(String)} (called by a
 * poller) re-resolves the default; when it moved, the new version is loaded and warmed first, then
 * swapped in atomically, and the old one is retired: requests holding a lease on it finish on it and
 * it is closed with its last lease. A version that cannot be loaded or warmed is rejected with its
 * reason (logged once) and the pinned one keeps serving. Pinned versions are never evicted for
 * capacity. Requests naming a version or another alias resolve as before.
 *
 * <p><b>Bounded loads.</b> With a {@link LoadLimiter}, loads that requests start (not preloads or
 * reloads) are bounded in number at once and per minute; beyond, the request fails at once with a
 * {@link ModelLoadRejectedException} and nothing is loaded.
 *
 * <p>Parts: this class keeps the table of loaded versions (leases, LRU eviction, closing);
 * {@link SelectorResolver} resolves selectors, {@link ModelLoader} builds and warms a value,
 * {@link DefaultVersions} pins and hot-swaps default versions.
 */
public final class ModelCache<T extends AutoCloseable> implements AutoCloseable {

    /** The alias used when a request names no version or alias. */
    public static final String DEFAULT_ALIAS = "production";

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    private final ModelRegistry registry;
    private final int capacity;
    private final SelectorResolver resolver;
    private final ModelLoader<T> loader;
    private final DefaultVersions<T> defaults;
    private volatile LoadLimiter limiter = LoadLimiter.unlimited();
    private final Map<ModelKey, CacheEntry<T>> entries = new LinkedHashMap<>();
    private volatile boolean followDefaults;
    private long clock;
    private boolean closed;

    /**
     * @param registry where bundles come from
     * @param loader   builds the served value from a verified bundle; exceptions other than
     *                 ModelNotFoundException / BundleCorruptException / ModelLoadException are wrapped
     *                 in a ModelLoadException
     * @param capacity maximum number of loaded versions (at least 1)
     * @param what     what the loader builds, for log and error messages (e.g. "component p2g")
     */
    public ModelCache(ModelRegistry registry, Function<Bundle, T> loader, int capacity, String what) {
        this(registry, loader, null, capacity, what);
    }

    /**
     * @param warmer runs every freshly built value once before any request gets it (null: none); a
     *               failure closes the value and fails the load with a ModelLoadException
     */
    public ModelCache(ModelRegistry registry, Function<Bundle, T> loader, Consumer<T> warmer, int capacity, String what) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        this.capacity = capacity;
        this.resolver = new SelectorResolver(registry);
        this.loader = new ModelLoader<>(registry, Objects.requireNonNull(loader, "loader"), warmer, what);
        this.defaults = new DefaultVersions<>(this, resolver);
    }

    /** Bounds the loads that requests start ({@link LoadLimiter}); unlimited unless set. */
    public void limitLoads(LoadLimiter limits) {
        this.limiter = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Whether default-selector requests pin and follow a model's default version (see the class
     * comment; off unless switched on). Switching it off drops all pins: default requests resolve
     * the registry again on every request.
     */
    public void followDefaults(boolean on) {
        followDefaults = on;
        if (!on) {
            synchronized (this) {
                defaults.clear();
            }
        }
    }

    /** The models whose default version is pinned, and the pinned version. */
    public synchronized Map<String, ModelKey> followed() {
        return defaults.followed();
    }

    public ModelRegistry registry() {
        return registry;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Resolves a selector to an existing version: {@code VERSION} must be a version number that
     * exists, {@code ALIAS} an alias of the model (or {@code latest}), and {@code DEFAULT} is the
     * {@value #DEFAULT_ALIAS} alias if the model has one, else the latest version (the pinned version
     * when the model's default is followed).
     *
     * @throws ModelNotFoundException for an unknown model, version or alias (or an empty name)
     */
    public ModelKey resolve(ModelSelector selector) {
        if (selector.kind() == ModelSelector.Kind.DEFAULT && followDefaults && !selector.model().isEmpty()) {
            synchronized (this) {
                CacheEntry<T> pinned = defaults.pinned(selector.model());
                if (pinned != null) {
                    return pinned.key;
                }
            }
        }
        return resolver.resolve(selector);
    }

    /**
     * Resolves the selector and returns a lease on the loaded model, loading it first if needed.
     * The caller must close the lease (try-with-resources).
     *
     * @throws ModelNotFoundException      unknown model, version or alias
     * @throws BundleCorruptException      the bundle fails verification
     * @throws ModelLoadException          the bundle is valid but the loader cannot build a model from it
     * @throws ModelLoadRejectedException  the version is not loaded and the load bounds are reached
     * @throws IllegalStateException       the cache is closed
     */
    public Lease<T> acquire(ModelSelector selector) {
        return acquire(selector, true);
    }

    private Lease<T> acquire(ModelSelector selector, boolean limited) {
        if (!followDefaults || !isDefault(selector)) {
            return acquire(resolve(selector), false, limited);
        }
        Lease<T> pinned = acquireFollowed(selector);
        if (pinned != null) {
            return pinned;
        }
        // first use of the model's default: resolve and load like any request, then follow it
        SelectorResolver.Resolved target = selector.kind() == ModelSelector.Kind.DEFAULT
                ? resolver.resolveDefault(selector.model())
                : new SelectorResolver.Resolved(resolve(selector), true);
        Lease<T> lease = acquire(target.key(), false, limited);
        synchronized (this) {
            if (!closed && followDefaults) {
                defaults.startFollowing(lease.entry, target.viaAlias());
            }
        }
        return lease;
    }

    /**
     * A lease without reading the registry or waiting for a load, or null where that is not possible: only a
     * followed default whose pinned version has finished loading qualifies (other selectors resolve against the
     * registry, a few file reads). For callers that must not block (an event loop); on null they call
     * {@link #acquire(ModelSelector)} on a thread that may.
     *
     * @throws IllegalStateException the cache is closed
     */
    public Lease<T> acquireIfReady(ModelSelector selector) {
        if (!followDefaults || !isDefault(selector) || selector.model().isEmpty()) {
            return null;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("model cache is closed");
            }
            CacheEntry<T> entry = defaults.pinnedFor(selector);
            if (entry == null || !entry.future.isDone() || entry.future.isCompletedExceptionally()) {
                return null;
            }
            entry.refs++;
            entry.lastUsed = ++clock;
            return new Lease<>(this, entry, entry.future.join());
        }
    }

    /** The default selector, or the alias the default follows, named explicitly. */
    private static boolean isDefault(ModelSelector selector) {
        return selector.kind() == ModelSelector.Kind.DEFAULT
                || (selector.kind() == ModelSelector.Kind.ALIAS && DEFAULT_ALIAS.equals(selector.value()));
    }

    /** A lease on the pinned version, or null when the model is not followed (or the alias is not what it follows). */
    private synchronized Lease<T> acquireFollowed(ModelSelector selector) {
        if (closed) {
            throw new IllegalStateException("model cache is closed");
        }
        CacheEntry<T> entry = defaults.pinnedFor(selector);
        if (entry == null) {
            return null;
        }
        entry.refs++;
        entry.lastUsed = ++clock;
        return new Lease<>(this, entry, entry.future.join());
    }

    /** Returns a lease on an already resolved version, loading it first if needed (within the load bounds). */
    public Lease<T> acquire(ModelKey key) {
        return acquire(key, false, true);
    }

    /** A lease on a reload target: loaded without the load bounds and pinned against eviction from the start. */
    Lease<T> acquireReloadTarget(ModelKey key) {
        return acquire(key, true, false);
    }

    private Lease<T> acquire(ModelKey key, boolean pin, boolean limited) {
        CacheEntry<T> entry;
        boolean mustLoad = false;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("model cache is closed");
            }
            entry = entries.get(key);
            if (entry == null) {
                entry = new CacheEntry<>(key);
                entries.put(key, entry);
                mustLoad = true;
            }
            if (pin) {
                entry.pinned = true;
            }
            entry.refs++;
            entry.lastUsed = ++clock;
        }
        if (mustLoad) {
            load(entry, limited ? limiter : null);
        }
        ModelLoader.Loaded<T> loaded;
        try {
            loaded = entry.future.get();
        } catch (ExecutionException | CompletionException e) {
            release(entry);
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            release(entry);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + key + " to load", e);
        }
        return new Lease<>(this, entry, loaded);
    }

    /** Loads an entry (within the limiter's bounds when one is given); a failure removes it and fails its waiters. */
    private void load(CacheEntry<T> entry, LoadLimiter limits) {
        ModelKey key = entry.key;
        try {
            if (limits != null) {
                limits.acquire(key);
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                entries.remove(key, entry);
            }
            LOG.debugf("not loading %s of model %s: %s", loader.what(), key, e.getMessage());
            entry.future.completeExceptionally(e);
            return;
        }
        long start = System.nanoTime();
        RuntimeException failure = null;
        try {
            entry.future.complete(loader.load(key));
            LOG.infof("loaded %s of model %s in %d ms", loader.what(), key, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | Error e) {
            failure = e instanceof RuntimeException r ? r : new ModelLoadException(e.toString(), e);
            synchronized (this) {
                entries.remove(key, entry);
            }
            LOG.warnf("could not load %s of model %s: %s", loader.what(), key, e.getMessage());
            entry.future.completeExceptionally(e);
            return;
        } finally {
            if (limits != null) {
                limits.release(key, failure);
            }
        }
        evictOverCapacity();
    }

    /** Loads a model now (e.g. at startup) so the first request does not pay for it; not bounded by the load limits. */
    public ModelKey preload(ModelSelector selector) {
        try (Lease<T> lease = acquire(selector, false)) {
            return lease.key();
        }
    }

    /** The versions currently loaded (or loading), least recently used first. */
    public synchronized List<ModelKey> loaded() {
        List<CacheEntry<T>> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparingLong(e -> e.lastUsed));
        return list.stream().map(e -> e.key).toList();
    }

    /** Evicts one version (it is closed once no request uses it); false if it was not loaded. */
    public boolean evict(ModelKey key) {
        CacheEntry<T> entry;
        synchronized (this) {
            entry = entries.remove(key);
            if (entry == null) {
                return false;
            }
            defaults.evicted(entry);
            entry.retired = true;
            if (entry.refs > 0) {
                return true;
            }
        }
        closeValue(entry);
        return true;
    }

    private void evictOverCapacity() {
        List<CacheEntry<T>> toClose = new ArrayList<>();
        synchronized (this) {
            while (entries.size() > capacity) {
                CacheEntry<T> lru = null;
                for (CacheEntry<T> e : entries.values()) {
                    if (!e.pinned && e.loaded() && (lru == null || e.lastUsed < lru.lastUsed)) {
                        lru = e;
                    }
                }
                if (lru == null) {
                    break; // only pinned versions and loads in flight; the latter evict when they finish
                }
                entries.remove(lru.key);
                lru.retired = true;
                LOG.infof("evicting model %s (more than %d models loaded)", lru.key, capacity);
                if (lru.refs == 0) {
                    toClose.add(lru);
                }
            }
        }
        toClose.forEach(this::closeValue);
    }

    private void release(CacheEntry<T> entry) {
        boolean close;
        synchronized (this) {
            entry.refs--;
            close = entry.retired && entry.refs == 0;
        }
        if (close) {
            closeValue(entry);
        }
    }

    /** Whether the entry is the one the table holds for its key (lock held). */
    boolean inTable(CacheEntry<T> entry) {
        return entries.get(entry.key) == entry;
    }

    /** Whether the cache is closed (lock held). */
    boolean isClosed() {
        return closed;
    }

    /** Takes a switched-out version out of the table; it closes with its last lease (lock held). */
    void retire(CacheEntry<T> old) {
        if (entries.get(old.key) == old) {
            entries.remove(old.key);
        }
        old.retired = true;
    }

    void closeValue(CacheEntry<T> entry) {
        if (!entry.loaded()) {
            return;
        }
        synchronized (entry) {
            if (entry.valueClosed) {
                return;
            }
            entry.valueClosed = true;
        }
        try {
            entry.future.join().value().close();
            LOG.debugf("closed model %s", entry.key);
        } catch (Exception e) {
            LOG.warnf(e, "error closing model %s", entry.key);
        }
    }

    /** Closes every loaded model (those in use when their last lease closes); later acquires fail. */
    @Override
    public void close() {
        List<CacheEntry<T>> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            defaults.clear();
            for (CacheEntry<T> e : entries.values()) {
                e.retired = true;
                if (e.refs == 0) {
                    toClose.add(e);
                }
            }
            entries.clear();
        }
        toClose.forEach(this::closeValue);
    }

    /** What {@link #refresh(String)} did. */
    public enum Outcome {
        /** The model's default is not followed (never requested by default, evicted, or following is off). */
        NOT_FOLLOWED,
        /** The default still resolves to the pinned version. */
        UNCHANGED,
        /** The default moved; the new version was loaded, warmed and swapped in. */
        SWITCHED,
        /** The default moved to a version that cannot be served; the pinned one keeps serving. */
        REJECTED,
        /** The registry cannot resolve the default now (alias file unreadable, model gone); the pinned one keeps serving. */
        UNRESOLVABLE
    }

    /**
     * The result of one {@link #refresh(String)}.
     *
     * @param from   the version pinned before (null when not followed)
     * @param to     the version the default resolves to (null when unresolvable or not followed)
     * @param reason why it was rejected or unresolvable (null otherwise)
     * @param inFlight requests still holding the old version when it was switched out (it closes after them)
     */
    public record Refresh(String model, Outcome outcome, ModelKey from, ModelKey to, String reason, int inFlight) {
    }

    /**
     * Re-resolves a followed model's default version (production alias, else latest) and, if it moved,
     * loads and warms the new version, swaps it in atomically and retires the old one (closed once
     * its last in-flight lease is released). A version that fails to load or warm is rejected (logged
     * once with its reason) and not retried until the default moves again; the pinned version keeps
     * serving. Meant to be called periodically from one thread; safe to call from any.
     */
    public Refresh refresh(String model) {
        return defaults.refresh(model);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Use of one loaded model by one request; close it when the request is done. Not thread-safe. */
    public static final class Lease<T extends AutoCloseable> implements AutoCloseable {
        private final ModelCache<T> cache;
        private final CacheEntry<T> entry;
        private final ModelLoader.Loaded<T> loaded;
        private boolean released;

        private Lease(ModelCache<T> cache, CacheEntry<T> entry, ModelLoader.Loaded<T> loaded) {
            this.cache = cache;
            this.entry = entry;
            this.loaded = loaded;
        }

        CacheEntry<T> entry() {
            return entry;
        }

        public ModelKey key() {
            return entry.key;
        }

        /** The verified bundle the value was built from (manifest, vocabularies, metrics). */
        public Bundle bundle() {
            return loaded.bundle();
        }

        public T value() {
            if (released) {
                throw new IllegalStateException("lease on " + entry.key + " already closed");
            }
            return loaded.value();
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                cache.release(entry);
            }
        }
    }
}
