package io.crossmodal.core.serving.cache;

import io.crossmodal.core.bundle.Bundle;
import io.crossmodal.core.bundle.BundleCorruptException;
import io.crossmodal.core.bundle.ModelNotFoundException;
import io.crossmodal.core.bundle.ModelRegistry;
import io.crossmodal.core.onnx.SessionFactory;
import io.crossmodal.core.serving.Seq2SeqPredictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
    private final Map<ModelKey, Entry<T>> entries = new LinkedHashMap<>();
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
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.capacity = capacity;
        this.what = what;
    }

    /** A cache of {@link Seq2SeqPredictor}s over one seq2seq component (e.g. "g2p", "p2g") of each bundle. */
    public static ModelCache<Seq2SeqPredictor> seq2seq(ModelRegistry registry, SessionFactory factory, String component,
            int maxInputLength, int capacity) {
        return new ModelCache<>(registry, bundle -> Seq2SeqPredictor.create(bundle, component, factory, maxInputLength),
                capacity, "component " + component);
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
        int version = switch (selector.kind()) {
            case DEFAULT -> registry.aliases(model).containsKey(DEFAULT_ALIAS)
                    ? registry.resolve(model, DEFAULT_ALIAS)
                    : registry.resolve(model, ModelRegistry.LATEST);
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
        return acquire(resolve(selector));
    }

    /** Returns a lease on an already resolved version, loading it first if needed. */
    public Lease<T> acquire(ModelKey key) {
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
                    if (e.future.isDone() && !e.future.isCompletedExceptionally() && (lru == null || e.lastUsed < lru.lastUsed)) {
                        lru = e;
                    }
                }
                if (lru == null) {
                    break; // only loads in flight; they will evict when they finish
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

        Entry(ModelKey key) {
            this.key = key;
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
