package io.crossmodal.runtime.cache;

import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;

/**
 * Resolves a {@link ModelSelector} against the registry (a few small file reads, no cache): an exact
 * version must exist, an alias must be an alias of the model (or {@code latest}), and the default is the
 * {@value ModelCache#DEFAULT_ALIAS} alias if the model has one, else the latest version.
 */
final class SelectorResolver {

    private final ModelRegistry registry;

    SelectorResolver(ModelRegistry registry) {
        this.registry = registry;
    }

    /** A resolved default version, and whether it came from the production alias (false: the latest version). */
    record Resolved(ModelKey key, boolean viaAlias) {
    }

    /** @throws ModelNotFoundException for an unknown model, version or alias (or an empty name) */
    ModelKey resolve(ModelSelector selector) {
        String model = selector.model();
        if (model.isEmpty()) {
            throw new ModelNotFoundException("no model name given");
        }
        int version = switch (selector.kind()) {
            case DEFAULT -> resolveDefault(model).key().version();
            case VERSION -> {
                if (!ModelRegistry.isVersionNumber(selector.value())) {
                    registry.listVersions(model); // unknown model first: NOT_FOUND naming the model
                    throw new ModelNotFoundException("model '" + model + "' has no version '" + selector.value()
                            + "' (versions are positive integers: " + registry.listVersions(model) + ")");
                }
                yield registry.resolve(model, selector.value());
            }
            case ALIAS -> {
                if (selector.value().isEmpty() || ModelRegistry.isVersionNumber(selector.value())) {
                    registry.listVersions(model);
                    throw new ModelNotFoundException("model '" + model + "' has no alias '" + selector.value()
                            + "' (aliases: " + registry.aliases(model).keySet() + ")");
                }
                yield registry.resolve(model, selector.value());
            }
        };
        return new ModelKey(model, version);
    }

    /** The registry's current default version of a model. */
    Resolved resolveDefault(String model) {
        if (model.isEmpty()) {
            throw new ModelNotFoundException("no model name given");
        }
        boolean viaAlias = registry.aliases(model).containsKey(ModelCache.DEFAULT_ALIAS);
        int version = registry.resolve(model, viaAlias ? ModelCache.DEFAULT_ALIAS : ModelRegistry.LATEST);
        return new Resolved(new ModelKey(model, version), viaAlias);
    }
}
