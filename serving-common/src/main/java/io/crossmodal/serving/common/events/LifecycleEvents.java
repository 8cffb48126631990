package io.crossmodal.serving.common.events;

import io.crossmodal.lifecycle.EventLog;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.serving.common.ServedModels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes the {@value #CHANNEL} channel (Kafka topic {@code model-lifecycle}, published by the
 * trainer's relay; docs/EVENTS.md) and turns an event about a model this service follows into an
 * immediate re-check of that model's default version ({@link ServedModels#refreshSoon}): the same hot
 * swap, with warm-up, as the periodic poll, only sooner.
 *
 * <p>The event is only a wake-up, never an instruction: what is served is whatever the registry's
 * {@code production} alias says when the re-check runs. So a duplicated event re-checks an unchanged
 * alias and does nothing, a stale or out-of-order one (its version is no longer the alias's) cannot
 * move the service backwards, and a lost one is caught by the next poll.
 *
 * <p>Which events wake a re-check: ModelPromoted / ModelRolledBack of the alias {@value
 * ModelCache#DEFAULT_ALIAS}, and ModelRegistered (which moves the default of a model without that
 * alias, the latest version), for a model the service follows. Everything else is counted as ignored.
 *
 * <p>Meters: {@value #RECEIVED} (tag {@code type}: the event type, or {@code malformed}), {@value
 * #APPLIED} (tag {@code type}: the re-check switched versions) and {@value #IGNORED} (tag {@code
 * reason}, see {@link Result}).
 */
@ApplicationScoped
public class LifecycleEvents {

    /** The incoming channel (and, by default, the topic). */
    public static final String CHANNEL = "model-lifecycle";
    public static final String RECEIVED = "crossmodal.lifecycle.events.received";
    public static final String APPLIED = "crossmodal.lifecycle.events.applied";
    public static final String IGNORED = "crossmodal.lifecycle.events.ignored";

    private static final Logger LOG = Logger.getLogger(LifecycleEvents.class);
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            RECEIVED, "model-lifecycle events received, by type",
            APPLIED, "model-lifecycle events whose re-check switched the served version, by type",
            IGNORED, "model-lifecycle events that changed nothing, by reason");

    /** What became of one event. */
    public enum Result {
        /** The re-check switched to another version. */
        APPLIED,
        /** Not a lifecycle event (not JSON, unknown type, missing fields). */
        MALFORMED,
        /** About a model this service does not follow. */
        NOT_SERVED,
        /** About an alias other than {@value ModelCache#DEFAULT_ALIAS}. */
        OTHER_ALIAS,
        /** Joined a re-check of the same model that was already waiting to run (counted once, as that one). */
        COALESCED,
        /** The registry's default is what is served already (a duplicate, stale or out-of-order event). */
        UNCHANGED,
        /** The default moved to a version that cannot be served; the current one keeps serving. */
        REJECTED,
        /** The registry could not resolve the default; the current one keeps serving. */
        UNRESOLVABLE,
        /** Hot reload is off or the model stopped being followed meanwhile. */
        NOT_FOLLOWED,
        /** The re-check failed unexpectedly (logged). */
        FAILED;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Supplier<Set<String>> followed;
    private final Function<String, ServedModels.ScheduledRefresh> refresher;
    private final MeterRegistry meters;
    private final Map<String, Long> counts = new ConcurrentHashMap<>();

    @Inject
    public LifecycleEvents(ServedModels models, MeterRegistry meters) {
        this(() -> models.cache().followed().keySet(), models::refreshSoon, meters);
    }

    /**
     * @param followed  the models whose default version the service follows now
     * @param refresher schedules a re-check of one model ({@link ServedModels#refreshSoon})
     */
    public LifecycleEvents(Supplier<Set<String>> followed, Function<String, ServedModels.ScheduledRefresh> refresher,
            MeterRegistry meters) {
        this.followed = Objects.requireNonNull(followed, "followed");
        this.refresher = Objects.requireNonNull(refresher, "refresher");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /** One record of the topic (its value: the event JSON). Never throws, so the channel never fails. */
    @Incoming(CHANNEL)
    public void consume(String json) {
        handle(json);
    }

    /** Classifies one event and, if it is about a followed model's default, schedules the re-check. */
    public CompletableFuture<Result> handle(String json) {
        LifecycleEvent event;
        try {
            event = EventLog.fromJson(Objects.requireNonNull(json, "no value"));
        } catch (RuntimeException e) {
            count(RECEIVED, "type", "malformed");
            LOG.warnf("ignoring a record of %s that is not a lifecycle event: %s", CHANNEL, e.getMessage());
            return CompletableFuture.completedFuture(ignored(Result.MALFORMED));
        }
        count(RECEIVED, "type", event.type());
        if (event.alias() != null && !ModelCache.DEFAULT_ALIAS.equals(event.alias())) {
            return done(event, Result.OTHER_ALIAS);
        }
        if (!followed.get().contains(event.model())) {
            return done(event, Result.NOT_SERVED);
        }
        ServedModels.ScheduledRefresh scheduled;
        try {
            scheduled = refresher.apply(event.model());
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not schedule the re-check of model %s for event #%d", event.model(), event.sequence());
            return done(event, Result.FAILED);
        }
        if (scheduled.joined()) {
            return done(event, Result.COALESCED);
        }
        return scheduled.result().handle((refresh, error) -> {
            Result r = error != null || refresh == null ? Result.FAILED : switch (refresh.outcome()) {
                case SWITCHED -> Result.APPLIED;
                case UNCHANGED -> Result.UNCHANGED;
                case REJECTED -> Result.REJECTED;
                case UNRESOLVABLE -> Result.UNRESOLVABLE;
                case NOT_FOLLOWED -> Result.NOT_FOLLOWED;
            };
            if (r == Result.APPLIED) {
                count(APPLIED, "type", event.type());
                LOG.infof("lifecycle event #%d %s %s v%d: switched %s -> %s", event.sequence(), event.type(),
                        event.model(), event.version(), refresh.from(), refresh.to());
                return r;
            }
            return done(event, r).join();
        });
    }

    private CompletableFuture<Result> done(LifecycleEvent event, Result result) {
        LOG.debugf("lifecycle event #%d %s %s v%d (alias %s, id %s): %s", event.sequence(), event.type(), event.model(),
                event.version(), event.alias(), event.eventId(), result);
        return CompletableFuture.completedFuture(ignored(result));
    }

    private Result ignored(Result result) {
        count(IGNORED, "reason", result.tag());
        return result;
    }

    private void count(String name, String tag, String value) {
        Counter.builder(name).description(DESCRIPTIONS.get(name)).tag(tag, value).register(meters).increment();
        counts.merge(name + ":" + value, 1L, Long::sum);
        counts.merge(name, 1L, Long::sum);
    }

    /**
     * Counts so far: {@code <meter>} (all) and {@code <meter>:<tag value>}, e.g.
     * {@code crossmodal.lifecycle.events.ignored:unchanged}.
     */
    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    /** One count of {@link #counts()}, 0 if none. */
    public long count(String key) {
        return counts.getOrDefault(key, 0L);
    }
}
