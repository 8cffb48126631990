package io.crossmodal.serving.common;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.ExecutionProvider;
import io.crossmodal.runtime.onnx.OrtOptions;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.family.ServingFamily;
import io.crossmodal.runtime.cache.LoadLimiter;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelCatalog;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.cache.ModelSelector;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The models a service serves: the registry, the ONNX Runtime session factory, and the cache of
 * loaded models for the service's role ({@link ServiceRole}, produced by the service), each loaded by
 * the model family its bundle names ({@link ServingFamilies}: java.util.ServiceLoader over the family
 * modules on the class path) and warmed up before it serves. Preloads the configured models at startup; a model that fails to preload is logged and
 * reported by the readiness check, not fatal.
 *
 * <p><b>Hot reload.</b> Unless {@code crossmodal.serving.reload-interval} is 0, the cache follows each
 * model's default version (alias {@code production}, else the latest) from the first default request
 * or preload on, and one daemon thread ({@code <service>-model-reload}) polls the registry every
 * interval ({@link ModelCache#refresh}): a moved default is loaded and warmed before it is switched to
 * atomically, the old version closes after its in-flight requests, and a version that cannot be served
 * is rejected with its reason logged (and shown by {@link #reloadStatus()} and the readiness check)
 * while the old one keeps serving.
 *
 * <p><b>Lifecycle events.</b> {@link #refreshSoon} runs the same re-check for one model at once, on the
 * same thread; the {@code model-lifecycle} consumer ({@code io.crossmodal.serving.common.events}) calls it
 * for every event about a followed model, so a promotion is served within a fraction of a second while
 * the poll stays as the reconciliation that catches whatever events miss (docs/EVENTS.md).
 */
@ApplicationScoped
public class ServedModels {

    private static final Logger LOG = Logger.getLogger(ServedModels.class);

    private final ServiceRole served;
    private final ServingConfig config;
    private final ModelRegistry registry;
    private final ModelCatalog catalog;
    private final SessionFactory sessions;
    private final ServingThreads threads;
    private final ModelCache<ServedModel<?, ?>> cache;
    private final Map<String, String> preloadFailures = new LinkedHashMap<>();
    private final Duration reloadInterval;
    private final Map<String, ModelCache.Refresh> reloads = new ConcurrentHashMap<>();
    private ScheduledExecutorService reloader;
    private final Map<String, CompletableFuture<ModelCache.Refresh>> pendingRefreshes = new ConcurrentHashMap<>();

    public ServedModels(ServiceRole served, ServingConfig config, ServingLoadConfig load) {
        this.served = served;
        this.config = config;
        this.reloadInterval = load.reloadInterval();
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException("crossmodal.serving.reload-interval must not be negative, got " + reloadInterval);
        }
        Path root = Path.of(config.registry().dir()).toAbsolutePath().normalize();
        this.registry = new ModelRegistry(root);
        this.catalog = new ModelCatalog(registry);
        this.threads = ServingThreads.of(load.compute().batchWorkers(), config.onnx().intraOpThreads(),
                config.onnx().interOpThreads(), config.onnx().allowSpinning());
        LOG.infof("%s inference threads: %s", served.service(), threads);
        OrtOptions options = new OrtOptions(ExecutionProvider.parse(config.onnx().provider()), config.onnx().deviceId(),
                threads.intraOpThreads(), threads.interOpThreads(), config.onnx().cudaMemoryLimit(), threads.spinning());
        this.sessions = new SessionFactory(options);
        // one-thread sessions for lone requests only where the main ones split a run over several threads on the CPU
        SessionFactory solo = config.onnx().soloSessions() && options.provider() == ExecutionProvider.CPU
                && threads.intraOpThreads() != 1 ? new SessionFactory(options.withThreads(1, threads.interOpThreads())) : null;
        ServingContext context = new ServingContext(served.service(), sessions, solo, settings(config.serving()));
        this.cache = new ModelCache<>(registry, bundle -> ServingFamilies.load(bundle, context), ServedModel::warmUp,
                config.serving().cacheSize(), "service " + served.service());
        this.cache.followDefaults(!reloadInterval.isZero());
        this.cache.limitLoads(new LoadLimiter(load.loads().maxConcurrent(), load.loads().maxPerMinute(),
                load.loads().maxWait(), load.loads().failureMemory(), System::nanoTime));
        if (!Files.isDirectory(root)) {
            LOG.warnf("model registry %s does not exist (yet); requests will answer NOT_FOUND until models are exported there",
                    root);
        }
        LOG.infof("%s serves model families %s from registry %s; ONNX Runtime execution provider: %s (requested %s%s)",
                served.service(), ServingFamilies.all().stream().map(ServingFamily::name).toList(), root, executionProvider(),
                config.onnx().provider(),
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
        startReloading();
    }

    private synchronized void startReloading() {
        if (reloadInterval.isZero() || reloader != null) {
            if (reloadInterval.isZero()) {
                LOG.infof("hot reload is off (crossmodal.serving.reload-interval=0): default requests resolve the registry "
                        + "on every request");
            }
            return;
        }
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, served.service() + "-model-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, reloadInterval.toMillis());
        reloader.scheduleWithFixedDelay(this::reloadNow, ms, ms, TimeUnit.MILLISECONDS);
        LOG.infof("following the default version (alias %s, else latest) of the served models; polling the registry every %s",
                ModelCache.DEFAULT_ALIAS, reloadInterval);
    }

    /**
     * Polls the registry once for every followed model (what the reload thread does every interval):
     * a moved default is loaded, warmed and switched to, or rejected. Never throws.
     */
    public void reloadNow() {
        for (String model : cache.followed().keySet()) {
            reloadModel(model);
        }
    }

    /** One model's re-check (see {@link #reloadNow()}); null when it failed unexpectedly (logged). Never throws. */
    private ModelCache.Refresh reloadModel(String model) {
        try {
            ModelCache.Refresh r = cache.refresh(model);
            if (r.outcome() != ModelCache.Outcome.NOT_FOLLOWED) {
                reloads.put(model, r);
            }
            return r;
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "reloading model %s failed unexpectedly; its current version keeps serving", model);
            return null;
        }
    }

    /**
     * Re-checks one followed model's default version now, on the reload thread (so it never runs
     * concurrently with the periodic poll), instead of waiting for the next poll: what a lifecycle event
     * triggers. Requests for the same model that arrive while one is still waiting to run share it
     * ({@link ScheduledRefresh#joined()}); one that arrives while a re-check runs schedules another, so a
     * move made during a re-check is never missed. The registry decides what is served: a re-check of
     * an unchanged default does nothing.
     *
     * @return the scheduled re-check; its result is null if the re-check failed unexpectedly (logged),
     *         and it is {@link ModelCache.Outcome#NOT_FOLLOWED} at once when hot reload is off
     */
    public ScheduledRefresh refreshSoon(String model) {
        ScheduledExecutorService r;
        synchronized (this) {
            r = reloader;
        }
        if (r == null || r.isShutdown()) {
            return new ScheduledRefresh(CompletableFuture.completedFuture(
                    new ModelCache.Refresh(model, ModelCache.Outcome.NOT_FOLLOWED, null, null, null, 0)), false);
        }
        boolean[] created = new boolean[1];
        CompletableFuture<ModelCache.Refresh> f = pendingRefreshes.computeIfAbsent(model, m -> {
            created[0] = true;
            CompletableFuture<ModelCache.Refresh> future = new CompletableFuture<>();
            try {
                r.execute(() -> {
                    pendingRefreshes.remove(m, future);
                    future.complete(reloadModel(m));
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                future.complete(new ModelCache.Refresh(m, ModelCache.Outcome.NOT_FOLLOWED, null, null, null, 0));
                return null;
            }
            return future;
        });
        if (f == null) {
            return new ScheduledRefresh(CompletableFuture.completedFuture(
                    new ModelCache.Refresh(model, ModelCache.Outcome.NOT_FOLLOWED, null, null, null, 0)), false);
        }
        return new ScheduledRefresh(f, !created[0]);
    }

    /** Runs one reconciliation ({@link #reloadNow()}) on the reload thread soon, e.g. after reconnecting to the event broker. */
    public void reconcileSoon() {
        for (String model : cache.followed().keySet()) {
            refreshSoon(model);
        }
    }

    /**
     * A re-check scheduled by {@link #refreshSoon}.
     *
     * @param result completes with the re-check's outcome (null: failed unexpectedly, logged)
     * @param joined whether the request joined a re-check already waiting to run instead of scheduling one
     */
    public record ScheduledRefresh(CompletableFuture<ModelCache.Refresh> result, boolean joined) {
    }

    /** The last poll's outcome per followed model (SWITCHED / UNCHANGED / REJECTED with the reason / ...). */
    public Map<String, ModelCache.Refresh> reloadStatus() {
        return new TreeMap<>(reloads);
    }

    /** The poll interval of hot reload ({@code 0}: off). */
    public Duration reloadInterval() {
        return reloadInterval;
    }

    /** {@code name}, {@code name/version} or {@code name@alias}. */
    /**
     * A {@code crossmodal.models} entry: {@code name}, {@code name/3} or {@code name@alias}. The entry is
     * configuration text, so each part is trimmed here ({@code "tiny / 1"} is tiny version 1); selectors are
     * never trimmed further down.
     */
    static ModelSelector parseSelector(String spec) {
        int at = spec.indexOf('@');
        if (at >= 0) {
            return ModelSelector.alias(spec.substring(0, at).trim(), spec.substring(at + 1).trim());
        }
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            return ModelSelector.version(spec.substring(0, slash).trim(), spec.substring(slash + 1).trim());
        }
        return ModelSelector.defaultOf(spec.trim());
    }

    @PreDestroy
    void close() {
        synchronized (this) {
            if (reloader != null) {
                reloader.shutdownNow();
            }
        }
        cache.close();
    }

    /** The service's role. */
    public ServiceRole served() {
        return served;
    }

    /**
     * The service's settings as the families see them ({@link ServingContext#settings()}): the typed
     * {@code crossmodal.serving.*} limits and defaults, and every {@code crossmodal.serving.limits."<name>"}.
     */
    static Map<String, Object> settings(ServingConfig.Serving serving) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxInputLength", serving.maxInputLength());
        out.put("maxOutputLength", serving.maxOutputLength());
        out.put("maxBeamWidth", serving.maxBeamWidth());
        out.put("defaultBeamWidth", serving.defaultBeamWidth());
        out.putAll(serving.limits());
        return out;
    }

    /** The inference threads this service runs with (batch workers per model, ONNX Runtime threads). */
    public ServingThreads threads() {
        return threads;
    }

    public ModelCache<ServedModel<?, ?>> cache() {
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
