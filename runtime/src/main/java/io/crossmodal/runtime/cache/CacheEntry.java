package io.crossmodal.runtime.cache;

import java.util.concurrent.CompletableFuture;

/** One (model, version) in the cache: its load, its leases and its state (guarded by the cache's lock). */
final class CacheEntry<T> {
    final ModelKey key;
    final CompletableFuture<ModelLoader.Loaded<T>> future = new CompletableFuture<>();
    int refs;
    long lastUsed;
    /** Out of the table (evicted, switched out, cache closed): closed with its last lease. */
    boolean retired;
    /** Guarded by the entry itself: the value is closed once. */
    boolean valueClosed;
    /** The default version of a followed model, or a reload target being loaded: never evicted for capacity. */
    boolean pinned;

    CacheEntry(ModelKey key) {
        this.key = key;
    }

    boolean loaded() {
        return future.isDone() && !future.isCompletedExceptionally();
    }
}
