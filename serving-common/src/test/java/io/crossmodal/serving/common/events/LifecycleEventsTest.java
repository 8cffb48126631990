package io.crossmodal.serving.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.lifecycle.EventLog;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelCache.Outcome;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.serving.common.ServedModels.ScheduledRefresh;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** How the consumer classifies events and counts them, with a stand-in for the served models' re-check. */
class LifecycleEventsTest {

    final List<String> rechecked = new ArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    LifecycleEvents events(Function<String, ScheduledRefresh> refresh) {
        return new LifecycleEvents(() -> Set.of("cmudict"), model -> {
            rechecked.add(model);
            return refresh.apply(model);
        }, meters);
    }

    static ScheduledRefresh outcome(Outcome outcome) {
        ModelKey from = new ModelKey("cmudict", 1);
        ModelKey to = new ModelKey("cmudict", outcome == Outcome.UNCHANGED ? 1 : 2);
        return new ScheduledRefresh(CompletableFuture.completedFuture(
                new ModelCache.Refresh("cmudict", outcome, from, to, null, 0)), false);
    }

    static String json(String type, String model, String alias) {
        return EventLog.toJson(EventLog.event(type, model, 2, alias, 1, "test", null).withSequence(7));
    }

    @Test
    void eventsAboutTheServedDefaultTriggerARecheckAndOnlyASwitchCountsAsApplied() {
        LifecycleEvents e = events(m -> outcome(Outcome.SWITCHED));
        assertEquals(LifecycleEvents.Result.APPLIED, e.handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.APPLIED, e.handle(json(LifecycleEvent.ROLLED_BACK, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.APPLIED, e.handle(json(LifecycleEvent.REGISTERED, "cmudict", null)).join(),
                "a registration moves the default of a model without a production alias");
        assertEquals(List.of("cmudict", "cmudict", "cmudict"), rechecked);
        assertEquals(3, e.count(LifecycleEvents.APPLIED));
        assertEquals(1.0, meters.counter(LifecycleEvents.APPLIED, "type", LifecycleEvent.PROMOTED).count());
        assertEquals(0, e.count(LifecycleEvents.IGNORED));
    }

    @Test
    void duplicatesStaleEventsAndFailuresChangeNothingAndAreCountedAsIgnored() {
        assertEquals(LifecycleEvents.Result.UNCHANGED,
                events(m -> outcome(Outcome.UNCHANGED)).handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.REJECTED,
                events(m -> outcome(Outcome.REJECTED)).handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.COALESCED, events(m -> new ScheduledRefresh(new CompletableFuture<>(), true))
                .handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.FAILED, events(m -> new ScheduledRefresh(
                CompletableFuture.failedFuture(new IllegalStateException("boom")), false))
                .handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        assertEquals(LifecycleEvents.Result.FAILED, events(m -> {
            throw new IllegalStateException("closed");
        }).handle(json(LifecycleEvent.PROMOTED, "cmudict", "production")).join());
        for (String reason : List.of("unchanged", "rejected", "coalesced", "failed")) {
            assertEquals(reason.equals("failed") ? 2.0 : 1.0,
                    meters.counter(LifecycleEvents.IGNORED, "reason", reason).count(), reason);
        }
        assertEquals(5.0, meters.counter(LifecycleEvents.RECEIVED, "type", LifecycleEvent.PROMOTED).count());
    }

    @Test
    void eventsForOtherModelsOtherAliasesAndGarbageNeverTriggerARecheck() {
        LifecycleEvents e = events(m -> outcome(Outcome.SWITCHED));
        assertEquals(LifecycleEvents.Result.NOT_SERVED, e.handle(json(LifecycleEvent.PROMOTED, "other", "production")).join());
        assertEquals(LifecycleEvents.Result.OTHER_ALIAS, e.handle(json(LifecycleEvent.PROMOTED, "cmudict", "candidate")).join());
        assertEquals(LifecycleEvents.Result.MALFORMED, e.handle("{\"type\":\"ModelPromoted\"}").join());
        assertEquals(LifecycleEvents.Result.MALFORMED, e.handle("not json").join());
        assertEquals(LifecycleEvents.Result.MALFORMED, e.handle(null).join());
        assertEquals(List.of(), rechecked);
        assertEquals(5, e.count(LifecycleEvents.RECEIVED));
        assertEquals(3, e.count(LifecycleEvents.RECEIVED + ":malformed"));
        assertEquals(5, e.count(LifecycleEvents.IGNORED));
    }
}
