package io.crossmodal.runtime.cache;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
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
 */
public final class ModelCache<T extends AutoCloseable> implements AutoCloseable {

    /** The alias used when a request names no version or alias. */
    public static final String DEFAULT_ALIAS = "production";

    private static final Logger LOG = Logger.getLogger(ModelCache.class);
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private final ModelRegistry registry;
    private final Function<Bundle, T> loader;
    private final int capacity;
    private final String what;
    private final Consumer<T> warmer;
    private final Map<ModelKey, Entry<T>> entries = new LinkedHashMap<>();
    private final Map<String, Follow<T>> follows = new HashMap<>();
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
        this.loader = Objects.requireNonNull(loader, "loader");
        this.capacity = capacity;
        this.what = what;
        this.warmer = warmer;
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
                follows.values().forEach(f -> f.entry.pinned = false);
                follows.clear();
            }
        }
    }

    /** The models whose default version is pinned, and the pinned version. */
    public synchronized Map<String, ModelKey> followed() {
        Map<String, ModelKey> out = new java.util.TreeMap<>();
        follows.forEach((model, f) -> out.put(model, f.entry.key));
        return out;
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
     * {@value #DEFAULT_ALIAS} alias if the model has one, else the latest version.
     *
     * @throws ModelNotFoundException for an unknown model, version or alias (or an empty name)
     */
    public ModelKey resolve(ModelSelector selector) {
        String model = selector.model();
        if (model.isEmpty()) {
            throw new ModelNotFoundException("no model name given");
        }
        if (selector.kind() == ModelSelector.Kind.DEFAULT && followDefaults) {
            synchronized (this) {
                Follow<T> f = follows.get(model);
                if (f != null) {
                    return f.entry.key;
                }
            }
        }
        int version = switch (selector.kind()) {
            case DEFAULT -> resolveDefault(model).key().version();
            case VERSION -> {
                if (!VERSION.matcher(selector.value()).matches()) {
                    registry.listVersions(model); // unknown model first: NOT_FOUND naming the model
                    throw new ModelNotFoundException("model '" + model + "' has no version '" + selector.value()
                            + "' (versions are positive integers: " + registry.listVersions(model) + ")");
                }
                yield registry.resolve(model, selector.value());
            }
            case ALIAS -> {
                if (selector.value().isEmpty() || VERSION.matcher(selector.value()).matches()) {
                    registry.listVersions(model);
                    throw new ModelNotFoundException("model '" + model + "' has no alias '" + selector.value()
                            + "' (aliases: " + registry.aliases(model).keySet() + ")");
                }
                yield registry.resolve(model, selector.value());
            }
        };
        return new ModelKey(model, version);
    }

    /** The registry's current default version of a model, and whether it comes from the production alias. */
    private Resolved resolveDefault(String model) {
        boolean viaAlias = registry.aliases(model).containsKey(DEFAULT_ALIAS);
        int version = registry.resolve(model, viaAlias ? DEFAULT_ALIAS : ModelRegistry.LATEST);
        return new Resolved(new ModelKey(model, version), viaAlias);
    }

    private record Resolved(ModelKey key, boolean viaAlias) {
    }

    /**
     * Resolves the selector and returns a lease on the loaded model, loading it first if needed.
     * The caller must close the lease (try-with-resources).
     *
     * @throws ModelNotFoundException  unknown model, version or alias
     * @throws BundleCorruptException  the bundle fails verification
     * @throws ModelLoadException      the bundle is valid but the loader cannot build a model from it
     * @throws IllegalStateException   the cache is closed
     */
    public Lease<T> acquire(ModelSelector selector) {
        if (!followDefaults || !isDefault(selector)) {
            return acquire(resolve(selector));
        }
        Lease<T> pinned = acquireFollowed(selector);
        if (pinned != null) {
            return pinned;
        }
        // first use of the model's default: resolve and load like any request, then follow it
        Resolved target;
        if (selector.kind() == ModelSelector.Kind.DEFAULT) {
            if (selector.model().isEmpty()) {
                throw new ModelNotFoundException("no model name given");
            }
            target = resolveDefault(selector.model());
        } else {
            target = new Resolved(resolve(selector), true);
        }
        Lease<T> lease = acquire(target.key(), false);
        startFollowing(lease.entry, target.viaAlias());
        return lease;
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
        Follow<T> f = follows.get(selector.model());
        if (f == null || (selector.kind() == ModelSelector.Kind.ALIAS && !f.viaAlias)) {
            return null;
        }
        Entry<T> entry = f.entry;
        entry.refs++;
        entry.lastUsed = ++clock;
        return new Lease<>(this, entry, entry.future.join());
    }

    private synchronized void startFollowing(Entry<T> entry, boolean viaAlias) {
        String model = entry.key.model();
        if (closed || !followDefaults || follows.containsKey(model) || entry.retired || entries.get(entry.key) != entry) {
            return;
        }
        entry.pinned = true;
        follows.put(model, new Follow<>(entry, viaAlias));
        LOG.infof("following the default version of model %s (now %s%s)", model, entry.key,
                viaAlias ? ", alias " + DEFAULT_ALIAS : ", the latest version");
    }

    /** Returns a lease on an already resolved version, loading it first if needed. */
    public Lease<T> acquire(ModelKey key) {
        return acquire(key, false);
    }

    /** As {@link #acquire(ModelKey)}; {@code pin} protects the entry from capacity eviction from the start (a reload target). */
    private Lease<T> acquire(ModelKey key, boolean pin) {
        Entry<T> entry;
        boolean mustLoad = false;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("model cache is closed");
            }
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry<>(key);
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
            load(entry);
        }
        Loaded<T> loaded;
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

    private void load(Entry<T> entry) {
        ModelKey key = entry.key;
        long start = System.nanoTime();
        try {
            Bundle bundle = registry.load(key.model(), Integer.toString(key.version()));
            T value;
            try {
                value = loader.apply(bundle);
            } catch (ModelNotFoundException | BundleCorruptException | ModelLoadException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelLoadException("cannot load " + what + " of model " + key + ": " + e.getMessage(), e);
            }
            if (warmer != null) {
                try {
                    warmer.accept(value);
                } catch (RuntimeException | Error e) {
                    closeQuietly(value, key);
                    throw new ModelLoadException(what + " of model " + key + " loaded but failed its warm-up run: "
                            + e.getMessage(), e);
                }
            }
            entry.future.complete(new Loaded<>(bundle, value));
            LOG.infof("loaded %s of model %s in %d ms", what, key, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                entries.remove(key, entry);
            }
            LOG.warnf("could not load %s of model %s: %s", what, key, e.getMessage());
            entry.future.completeExceptionally(e);
            return;
        }
        evictOverCapacity();
    }

    /** Loads a model now (e.g. at startup) so the first request does not pay for it. */
    public ModelKey preload(ModelSelector selector) {
        try (Lease<T> lease = acquire(selector)) {
            return lease.key();
        }
    }

    /** The versions currently loaded (or loading), least recently used first. */
    public synchronized List<ModelKey> loaded() {
        List<Entry<T>> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparingLong(e -> e.lastUsed));
        return list.stream().map(e -> e.key).toList();
    }

    /** Evicts one version (it is closed once no request uses it); false if it was not loaded. */
    public boolean evict(ModelKey key) {
        Entry<T> entry;
        synchronized (this) {
            entry = entries.remove(key);
            if (entry == null) {
                return false;
            }
            if (entry.pinned) {
                entry.pinned = false;
                follows.remove(key.model());
                LOG.infof("no longer following the default version of model %s (its pinned version %s was evicted)",
                        key.model(), key);
            }
            entry.retired = true;
            if (entry.refs > 0) {
                return true;
            }
        }
        closeValue(entry);
        return true;
    }

    private void evictOverCapacity() {
        List<Entry<T>> toClose = new ArrayList<>();
        synchronized (this) {
            while (entries.size() > capacity) {
                Entry<T> lru = null;
                for (Entry<T> e : entries.values()) {
                    if (!e.pinned && e.future.isDone() && !e.future.isCompletedExceptionally()
                            && (lru == null || e.lastUsed < lru.lastUsed)) {
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

    private void release(Entry<T> entry) {
        boolean close;
        synchronized (this) {
            entry.refs--;
            close = entry.retired && entry.refs == 0;
        }
        if (close) {
            closeValue(entry);
        }
    }

    private void closeValue(Entry<T> entry) {
        if (!entry.future.isDone() || entry.future.isCompletedExceptionally()) {
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
        List<Entry<T>> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            follows.clear();
            for (Entry<T> e : entries.values()) {
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
        Follow<T> f;
        ModelKey current;
        synchronized (this) {
            f = closed ? null : follows.get(model);
            if (f == null) {
                return new Refresh(model, Outcome.NOT_FOLLOWED, null, null, null, 0);
            }
            current = f.entry.key;
        }
        Resolved target;
        try {
            target = resolveDefault(model);
        } catch (RuntimeException e) {
            boolean first;
            synchronized (this) {
                first = !Objects.equals(f.unresolvable, e.getMessage());
                f.unresolvable = e.getMessage();
            }
            if (first) {
                LOG.warnf("model %s: cannot resolve its default version (%s); %s keeps serving", model, e.getMessage(), current);
            }
            return new Refresh(model, Outcome.UNRESOLVABLE, current, null, e.getMessage(), 0);
        }
        synchronized (this) {
            f.unresolvable = null;
            if (target.key().equals(current)) {
                f.viaAlias = target.viaAlias();
                f.rejected = null;
                return new Refresh(model, Outcome.UNCHANGED, current, current, null, 0);
            }
            if (target.key().equals(f.rejected)) {
                return new Refresh(model, Outcome.REJECTED, current, target.key(), f.rejectedReason, 0);
            }
        }
        long start = System.nanoTime();
        Lease<T> lease;
        try {
            lease = acquire(target.key(), true);
        } catch (RuntimeException e) {
            synchronized (this) {
                f.rejected = target.key();
                f.rejectedReason = e.getMessage();
            }
            LOG.errorf("model %s: default version moved from %s to %s%s, which cannot be served: %s; %s keeps serving",
                    model, current, target.key(), target.viaAlias() ? " (alias " + DEFAULT_ALIAS + ")" : " (latest)",
                    e.getMessage(), current);
            return new Refresh(model, Outcome.REJECTED, current, target.key(), e.getMessage(), 0);
        }
        Entry<T> old;
        boolean closeOld;
        int inFlight;
        try {
            synchronized (this) {
                if (closed || follows.get(model) != f) {
                    if (!lease.entry.retired && !isPinnedByFollow(lease.entry)) {
                        lease.entry.pinned = false;
                    }
                    return new Refresh(model, Outcome.NOT_FOLLOWED, current, target.key(), null, 0);
                }
                old = f.entry;
                f.entry = lease.entry;
                f.viaAlias = target.viaAlias();
                f.rejected = null;
                f.rejectedReason = null;
                lease.entry.pinned = true;
                old.pinned = false;
                if (entries.get(old.key) == old) {
                    entries.remove(old.key);
                }
                old.retired = true;
                inFlight = old.refs;
                closeOld = old.refs == 0;
            }
        } finally {
            lease.close();
        }
        LOG.infof("model %s: default version %s -> %s%s: loaded and warmed in %d ms and switched; %s %s", model, current,
                target.key(), target.viaAlias() ? " (alias " + DEFAULT_ALIAS + ")" : " (latest)",
                (System.nanoTime() - start) / 1_000_000, current,
                closeOld ? "closed now" : "closes when its " + inFlight + " in-flight request(s) finish");
        if (closeOld) {
            closeValue(old);
        }
        return new Refresh(model, Outcome.SWITCHED, current, target.key(), null, inFlight);
    }

    private boolean isPinnedByFollow(Entry<T> entry) {
        Follow<T> f = follows.get(entry.key.model());
        return f != null && f.entry == entry;
    }

    private void closeQuietly(T value, ModelKey key) {
        try {
            value.close();
        } catch (Exception e) {
            LOG.warnf(e, "error closing model %s", key);
        }
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

    private record Loaded<T>(Bundle bundle, T value) {
    }

    private static final class Entry<T> {
        final ModelKey key;
        final CompletableFuture<Loaded<T>> future = new CompletableFuture<>();
        int refs;
        long lastUsed;
        boolean retired;
        boolean valueClosed;
        /** The default version of a followed model, or a reload target being loaded: never evicted for capacity. */
        boolean pinned;

        Entry(ModelKey key) {
            this.key = key;
        }
    }

    /** A model whose default version is pinned (guarded by the cache's lock). */
    private static final class Follow<T> {
        Entry<T> entry;
        /** Whether the pinned version is the production alias's (false: the latest version, there is no alias). */
        boolean viaAlias;
        /** The last version the default moved to that could not be served, and why (not retried until it moves again). */
        ModelKey rejected;
        String rejectedReason;
        /** The last reason the default could not be resolved (logged once). */
        String unresolvable;

        Follow(Entry<T> entry, boolean viaAlias) {
            this.entry = entry;
            this.viaAlias = viaAlias;
        }
    }

    /** Use of one loaded model by one request; close it when the request is done. Not thread-safe. */
    public static final class Lease<T extends AutoCloseable> implements AutoCloseable {
        private final ModelCache<T> cache;
        private final Entry<T> entry;
        private final Loaded<T> loaded;
        private boolean released;

        private Lease(ModelCache<T> cache, Entry<T> entry, Loaded<T> loaded) {
            this.cache = cache;
            this.entry = entry;
            this.loaded = loaded;
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
