package io.crossmodal.serving.common.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The values of the {@code model} and {@code model_version} tags, bounded whatever callers send.
 *
 * <p>A model name or version taken from a request is caller-controlled: tagging failures with it
 * verbatim would let any client create unbounded time series (one per random name). So a requested
 * name becomes a tag value only when it is a real model: one that a response resolved, one of the
 * configured models, or one listed by the registry (listing re-read at most once per refresh
 * interval, and only when an unknown name comes in); anything else is {@value #UNKNOWN}. A requested
 * version is kept only if that (model, version) was resolved before, else {@value #UNRESOLVED}. At
 * most {@code maxModels} names and {@code 16 * maxModels} (model, version) pairs are ever used;
 * beyond that new ones are {@value #OTHER}.
 */
public final class ModelLabels {

    /** The request named no model (or the RPC takes none, e.g. grpc.health.v1). */
    public static final String NONE = "none";
    /** The request named a model that does not exist. */
    public static final String UNKNOWN = "unknown";
    /** The call failed before a version was resolved. */
    public static final String UNRESOLVED = "unresolved";
    /** A real model or version beyond the label budget. */
    public static final String OTHER = "other";

    private final Supplier<? extends Collection<String>> registryModels;
    private final int maxModels;
    private final int maxVersions;
    private final long refreshNanos;
    private final LongSupplier clock;
    private final Set<String> models = ConcurrentHashMap.newKeySet();
    private final Set<String> versions = ConcurrentHashMap.newKeySet();
    private volatile Set<String> listed = Set.of();
    private volatile long listedAt;
    private volatile boolean everListed;

    /**
     * @param registryModels the models in the registry now (called rarely; may throw, then ignored)
     * @param configured model names known up front (e.g. {@code crossmodal.models})
     * @param maxModels most distinct model names used as tag values
     * @param refresh least time between two registry listings
     */
    public ModelLabels(Supplier<? extends Collection<String>> registryModels, Collection<String> configured, int maxModels,
            Duration refresh) {
        this(registryModels, configured, maxModels, refresh, System::nanoTime);
    }

    ModelLabels(Supplier<? extends Collection<String>> registryModels, Collection<String> configured, int maxModels,
            Duration refresh, LongSupplier clock) {
        if (maxModels < 1) {
            throw new IllegalArgumentException("maxModels must be >= 1, got " + maxModels);
        }
        this.registryModels = registryModels;
        this.maxModels = maxModels;
        this.maxVersions = 16 * maxModels;
        this.refreshNanos = refresh.toNanos();
        this.clock = clock;
        configured.forEach(this::admitModel);
    }

    /** The {@code model} and {@code model_version} tag values of one call. */
    public record Tags(String model, String version) {

        /** Neither a model nor a version (e.g. grpc.health.v1). */
        public static final Tags NONE = new Tags(ModelLabels.NONE, ModelLabels.NONE);
    }

    /** A model name and version that the service resolved: both become tag values (within the budget). */
    public Tags resolved(String model, String version) {
        String m = admitModel(model);
        if (m.equals(NONE) || m.equals(OTHER)) {
            return new Tags(m, m);
        }
        if (version == null || version.isBlank()) {
            return new Tags(m, UNRESOLVED);
        }
        String key = m + '\n' + version;
        if (versions.contains(key)) {
            return new Tags(m, version);
        }
        synchronized (versions) {
            if (versions.size() >= maxVersions && !versions.contains(key)) {
                return new Tags(m, OTHER);
            }
            versions.add(key);
        }
        return new Tags(m, version);
    }

    /** The tags of a call from what its request asked for ({@code version} null for an alias or no selector). */
    public Tags requested(String model, String version) {
        String m = requestedModel(model);
        if (m.equals(NONE) || m.equals(UNKNOWN) || m.equals(OTHER)) {
            return new Tags(m, m.equals(NONE) ? NONE : UNRESOLVED);
        }
        return new Tags(m, requestedVersion(m, version));
    }

    /** The tag value for a model name taken from a request. */
    public String requestedModel(String model) {
        if (model == null || model.isBlank()) {
            return NONE;
        }
        if (models.contains(model)) {
            return model;
        }
        if (!inRegistry(model)) {
            return UNKNOWN;
        }
        return admitModel(model);
    }

    /** The tag value for a version taken from a request: itself if (model, version) was resolved before. */
    public String requestedVersion(String modelLabel, String version) {
        if (version == null || version.isBlank()) {
            return UNRESOLVED;
        }
        return versions.contains(modelLabel + '\n' + version) ? version : UNRESOLVED;
    }

    private String admitModel(String model) {
        if (model == null || model.isBlank()) {
            return NONE;
        }
        if (models.contains(model)) {
            return model;
        }
        synchronized (models) {
            if (models.size() >= maxModels) {
                return models.contains(model) ? model : OTHER;
            }
            models.add(model);
            return model;
        }
    }

    private boolean inRegistry(String model) {
        long now = clock.getAsLong();
        if (!everListed || now - listedAt >= refreshNanos) {
            synchronized (this) {
                if (!everListed || now - listedAt >= refreshNanos) {
                    try {
                        listed = Set.copyOf(registryModels.get());
                    } catch (RuntimeException e) {
                        listed = Set.of();
                    }
                    listedAt = now;
                    everListed = true;
                }
            }
        }
        return listed.contains(model);
    }

    /** The model names in use as tag values (for tests and diagnostics). */
    public List<String> models() {
        return List.copyOf(models);
    }
}
