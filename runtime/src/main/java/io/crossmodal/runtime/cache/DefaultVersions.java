package io.crossmodal.runtime.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The hot-reload part of a {@link ModelCache}: which models have their default version pinned, and
 * {@link #refresh} (load and warm a moved default, swap it in, retire the old one). All state is guarded
 * by the cache's lock (the cache object's monitor), which this class takes itself.
 */
final class DefaultVersions<T extends AutoCloseable> {

    // under the cache's category: operators and tests follow one logger for everything the cache does
    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /** A model whose default version is pinned. */
    static final class Follow<T> {
        CacheEntry<T> entry;
        /** Whether the pinned version is the production alias's (false: the latest version, there is no alias). */
        boolean viaAlias;
        /** The last version the default moved to that could not be served, and why (not retried until it moves again). */
        ModelKey rejected;
        String rejectedReason;
        /** The last reason the default could not be resolved (logged once). */
        String unresolvable;

        Follow(CacheEntry<T> entry, boolean viaAlias) {
            this.entry = entry;
            this.viaAlias = viaAlias;
        }
    }

    private final ModelCache<T> cache;
    private final SelectorResolver resolver;
    private final Map<String, Follow<T>> follows = new HashMap<>();

    DefaultVersions(ModelCache<T> cache, SelectorResolver resolver) {
        this.cache = cache;
        this.resolver = resolver;
    }

    /** The pinned version of a model, or null (lock held). */
    CacheEntry<T> pinned(String model) {
        Follow<T> f = follows.get(model);
        return f == null ? null : f.entry;
    }

    /** The pinned entry serving this default selector, or null when not followed or the alias is not what it follows (lock held). */
    CacheEntry<T> pinnedFor(ModelSelector selector) {
        Follow<T> f = follows.get(selector.model());
        if (f == null || (selector.kind() == ModelSelector.Kind.ALIAS && !f.viaAlias)) {
            return null;
        }
        return f.entry;
    }

    /** Pins a freshly leased default version (lock held); no-op when the model is followed already or the entry is gone. */
    void startFollowing(CacheEntry<T> entry, boolean viaAlias) {
        String model = entry.key.model();
        if (follows.containsKey(model) || entry.retired || !cache.inTable(entry)) {
            return;
        }
        entry.pinned = true;
        follows.put(model, new Follow<>(entry, viaAlias));
        LOG.infof("following the default version of model %s (now %s%s)", model, entry.key,
                viaAlias ? ", alias " + ModelCache.DEFAULT_ALIAS : ", the latest version");
    }

    /** Unpins everything (lock held). */
    void clear() {
        follows.values().forEach(f -> f.entry.pinned = false);
        follows.clear();
    }

    /** The pinned version was evicted: stop following the model (lock held). */
    void evicted(CacheEntry<T> entry) {
        if (entry.pinned) {
            entry.pinned = false;
            follows.remove(entry.key.model());
            LOG.infof("no longer following the default version of model %s (its pinned version %s was evicted)",
                    entry.key.model(), entry.key);
        }
    }

    /** The followed models and their pinned versions (lock held). */
    Map<String, ModelKey> followed() {
        Map<String, ModelKey> out = new TreeMap<>();
        follows.forEach((model, f) -> out.put(model, f.entry.key));
        return out;
    }

    /** See {@link ModelCache#refresh}. */
    ModelCache.Refresh refresh(String model) {
        Follow<T> f;
        ModelKey current;
        synchronized (cache) {
            f = cache.isClosed() ? null : follows.get(model);
            if (f == null) {
                return new ModelCache.Refresh(model, ModelCache.Outcome.NOT_FOLLOWED, null, null, null, 0);
            }
            current = f.entry.key;
        }
        SelectorResolver.Resolved target;
        try {
            target = resolver.resolveDefault(model);
        } catch (RuntimeException e) {
            boolean first;
            synchronized (cache) {
                first = !Objects.equals(f.unresolvable, e.getMessage());
                f.unresolvable = e.getMessage();
            }
            if (first) {
                LOG.warnf("model %s: cannot resolve its default version (%s); %s keeps serving", model, e.getMessage(), current);
            }
            return new ModelCache.Refresh(model, ModelCache.Outcome.UNRESOLVABLE, current, null, e.getMessage(), 0);
        }
        synchronized (cache) {
            f.unresolvable = null;
            if (target.key().equals(current)) {
                f.viaAlias = target.viaAlias();
                f.rejected = null;
                return new ModelCache.Refresh(model, ModelCache.Outcome.UNCHANGED, current, current, null, 0);
            }
            if (target.key().equals(f.rejected)) {
                return new ModelCache.Refresh(model, ModelCache.Outcome.REJECTED, current, target.key(), f.rejectedReason, 0);
            }
        }
        long start = System.nanoTime();
        ModelCache.Lease<T> lease;
        try {
            lease = cache.acquireReloadTarget(target.key());
        } catch (RuntimeException e) {
            synchronized (cache) {
                f.rejected = target.key();
                f.rejectedReason = e.getMessage();
            }
            LOG.errorf("model %s: default version moved from %s to %s%s, which cannot be served: %s; %s keeps serving",
                    model, current, target.key(), describe(target), e.getMessage(), current);
            return new ModelCache.Refresh(model, ModelCache.Outcome.REJECTED, current, target.key(), e.getMessage(), 0);
        }
        CacheEntry<T> old;
        boolean closeOld;
        int inFlight;
        try {
            synchronized (cache) {
                CacheEntry<T> next = lease.entry();
                if (cache.isClosed() || follows.get(model) != f) {
                    if (!next.retired && pinned(next.key.model()) != next) {
                        next.pinned = false;
                    }
                    return new ModelCache.Refresh(model, ModelCache.Outcome.NOT_FOLLOWED, current, target.key(), null, 0);
                }
                old = f.entry;
                f.entry = next;
                f.viaAlias = target.viaAlias();
                f.rejected = null;
                f.rejectedReason = null;
                next.pinned = true;
                old.pinned = false;
                cache.retire(old);
                inFlight = old.refs;
                closeOld = old.refs == 0;
            }
        } finally {
            lease.close();
        }
        LOG.infof("model %s: default version %s -> %s%s: loaded and warmed in %d ms and switched; %s %s", model, current,
                target.key(), describe(target), (System.nanoTime() - start) / 1_000_000, current,
                closeOld ? "closed now" : "closes when its " + inFlight + " in-flight request(s) finish");
        if (closeOld) {
            cache.closeValue(old);
        }
        return new ModelCache.Refresh(model, ModelCache.Outcome.SWITCHED, current, target.key(), null, inFlight);
    }

    private static String describe(SelectorResolver.Resolved target) {
        return target.viaAlias() ? " (alias " + ModelCache.DEFAULT_ALIAS + ")" : " (latest)";
    }
}
