package io.crossmodal.runtime.cache;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Builds one served value from the registry: reads and verifies the bundle, applies the loader, and runs
 * the warmer once; a value that fails its warm-up is closed. Failures other than ModelNotFoundException /
 * BundleCorruptException / ModelLoadException are wrapped in a ModelLoadException naming the version.
 */
final class ModelLoader<T extends AutoCloseable> {

    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    /** A loaded value and the verified bundle it was built from. */
    record Loaded<T>(Bundle bundle, T value) {
    }

    private final ModelRegistry registry;
    private final Function<Bundle, T> loader;
    private final Consumer<T> warmer;
    private final String what;

    ModelLoader(ModelRegistry registry, Function<Bundle, T> loader, Consumer<T> warmer, String what) {
        this.registry = registry;
        this.loader = loader;
        this.warmer = warmer;
        this.what = what;
    }

    String what() {
        return what;
    }

    Loaded<T> load(ModelKey key) {
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
                close(value, key);
                throw new ModelLoadException(what + " of model " + key + " loaded but failed its warm-up run: "
                        + e.getMessage(), e);
            }
        }
        return new Loaded<>(bundle, value);
    }

    static void close(AutoCloseable value, ModelKey key) {
        try {
            value.close();
        } catch (Exception e) {
            LOG.warnf(e, "error closing model %s", key);
        }
    }
}
