package io.crossmodal.serving.common;

import io.crossmodal.core.bundle.ModelRegistry;
import io.crossmodal.core.onnx.ExecutionProvider;
import io.crossmodal.core.onnx.OrtOptions;
import io.crossmodal.core.onnx.SessionFactory;
import io.crossmodal.core.serving.Seq2SeqPredictor;
import io.crossmodal.core.serving.cache.ModelCache;
import io.crossmodal.core.serving.cache.ModelCatalog;
import io.crossmodal.core.serving.cache.ModelKey;
import io.crossmodal.core.serving.cache.ModelSelector;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The models a service serves: the registry, the ONNX Runtime session factory, and the cache of
 * loaded predictors for the service's bundle component ({@link ServedComponent}, produced by the
 * service). Preloads the configured models at startup; a model that fails to preload is logged and
 * reported by the readiness check, not fatal.
 */
@ApplicationScoped
public class ServedModels {

    private static final Logger LOG = Logger.getLogger(ServedModels.class);

    private final ServedComponent served;
    private final ServingConfig config;
    private final ModelRegistry registry;
    private final ModelCatalog catalog;
    private final SessionFactory sessions;
    private final ModelCache<Seq2SeqPredictor> cache;
    private final Map<String, String> preloadFailures = new LinkedHashMap<>();

    public ServedModels(ServedComponent served, ServingConfig config) {
        this.served = served;
        this.config = config;
        Path root = Path.of(config.registry().dir()).toAbsolutePath().normalize();
        this.registry = new ModelRegistry(root);
        this.catalog = new ModelCatalog(registry);
        OrtOptions options = new OrtOptions(ExecutionProvider.parse(config.onnx().provider()), config.onnx().deviceId(),
                config.onnx().intraOpThreads(), config.onnx().interOpThreads());
        this.sessions = new SessionFactory(options);
        this.cache = ModelCache.seq2seq(registry, sessions, served.component(), config.serving().maxInputLength(),
                config.serving().cacheSize());
        if (!Files.isDirectory(root)) {
            LOG.warnf("model registry %s does not exist (yet); requests will answer NOT_FOUND until models are exported there",
                    root);
        }
        LOG.infof("%s serves component %s from registry %s; ONNX Runtime execution provider: %s (requested %s%s)",
                served.service(), served.component(), root, executionProvider(), config.onnx().provider(),
                options.provider() == ExecutionProvider.CUDA ? ", device " + options.cudaDeviceId() : "");
    }

    void preload(@Observes StartupEvent event) {
        for (String spec : config.models().orElse(List.of())) {
            if (spec.isBlank()) {
                continue;
            }
            try {
                ModelKey key = cache.preload(parseSelector(spec.trim()));
                LOG.infof("preloaded model %s (%s) with the %s execution provider", key, spec, executionProvider());
            } catch (RuntimeException e) {
                synchronized (preloadFailures) {
                    preloadFailures.put(spec, e.getMessage());
                }
                LOG.errorf("could not preload model '%s': %s", spec, e.getMessage());
            }
        }
    }

    /** {@code name}, {@code name/version} or {@code name@alias}. */
    static ModelSelector parseSelector(String spec) {
        int at = spec.indexOf('@');
        if (at >= 0) {
            return ModelSelector.alias(spec.substring(0, at), spec.substring(at + 1));
        }
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            return ModelSelector.version(spec.substring(0, slash), spec.substring(slash + 1));
        }
        return ModelSelector.defaultOf(spec);
    }

    @PreDestroy
    void close() {
        cache.close();
    }

    /** The service and the bundle component it serves. */
    public ServedComponent served() {
        return served;
    }

    /** The bundle component this service runs ({@code p2g}, {@code g2p}). */
    public String component() {
        return served.component();
    }

    public ModelCache<Seq2SeqPredictor> cache() {
        return cache;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public ServingConfig.Serving limits() {
        return config.serving();
    }

    /** The provider sessions are created with now ("cpu" or "cuda"; CUDA may have fallen back to CPU). */
    public String executionProvider() {
        return sessions.provider().name().toLowerCase(Locale.ROOT);
    }

    public int deviceId() {
        return sessions.provider() == ExecutionProvider.CUDA ? sessions.options().cudaDeviceId() : 0;
    }

    /** Preload specs that failed, with the reason. */
    public Map<String, String> preloadFailures() {
        synchronized (preloadFailures) {
            return Map.copyOf(preloadFailures);
        }
    }
}
