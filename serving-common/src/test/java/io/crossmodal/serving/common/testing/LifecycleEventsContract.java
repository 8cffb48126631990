package io.crossmodal.serving.common.testing;

import static io.crossmodal.serving.common.testing.EventsRegistryResource.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.lifecycle.EventLog;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.events.LifecycleEvents;
import io.crossmodal.serving.common.events.LifecycleRebalanceListener;
import io.crossmodal.serving.common.testing.kafka.EmbeddedKafka;
import io.crossmodal.serving.common.testing.kafka.KafkaBrokerResource;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle events against a real Kafka broker ({@link KafkaBrokerResource}, in-process KRaft) while
 * client threads run requests for model {@value EventsRegistryResource#MODEL} without pause. The registry
 * poll is set to {@value EventsRegistryResource#POLL_SECONDS} s (longer than the test), so a swap is the event's
 * doing, which the service's applied-events counter confirms (no clock in the checks: waits poll with generous
 * limits that only guard against a hang). Each step does what the registry CLI and the trainer's relay do in production:
 * move the alias, append the event to the registry's event log, publish that event (key: the model, value:
 * its JSON). Checks, with zero failed requests throughout:
 * <ol>
 *   <li>a promotion is served, through the event (applied counter);</li>
 *   <li>a duplicate, a stale event and events the service does not care about change nothing;</li>
 *   <li>a rollback is served, through the event;</li>
 *   <li>broker down: the alias moves with no event reaching the service; it keeps serving (health UP)
 *       and catches up on reconciliation (the poll's re-check, triggered here instead of waiting for the poll);</li>
 *   <li>broker back: the consumer reconnects and the next promotion is served again without a poll.</li>
 * </ol>
 * Each service's {@code @QuarkusTest} subclass (with {@code @WithTestResource} of {@link KafkaBrokerResource},
 * init argument {@code start=later}, and of {@link EventsRegistryResource}) passes its {@link ServiceSpec}.
 */
public abstract class LifecycleEventsContract {

    /** A hang guard for an event-driven swap, not a speed check (the poll never runs during the test). */
    public static final long EVENT_SWITCH_MS = 60_000;

    @TestHTTPResource("/")
    URL base;

    @Inject
    ServedModels models;

    @Inject
    LifecycleEvents events;

    @Inject
    @Identifier(LifecycleRebalanceListener.NAME)
    LifecycleRebalanceListener consumer;

    private final ServiceSpec spec;
    private ManagedChannel channel;

    record Outcome(long sentNanos, long doneNanos, String version, String failure) {
    }

    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

    protected LifecycleEventsContract(ServiceSpec spec) {
        this.spec = spec;
    }

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    @Test
    void eventsSwapTheServedVersionAtOnceAndTheRegistryStaysTheTruth() throws Exception {
        EmbeddedKafka broker = KafkaBrokerResource.broker();
        ModelRegistry registry = new ModelRegistry(EventsRegistryResource.root());
        EventLog log = new EventLog(EventsRegistryResource.root());
        assertEquals(Duration.ofSeconds(EventsRegistryResource.POLL_SECONDS), models.reloadInterval());
        assertEquals(new ModelKey(MODEL, 1), models.cache().followed().get(MODEL));

        // 0. the service started while the broker was unreachable: it serves and is ready; then the broker comes up
        assertFalse(broker.running(), "KafkaBrokerResource start=later");
        assertEquals(0, consumer.assignedPartitions());
        assertEquals("1", spec.inferVersion(channel, ModelRef.newBuilder().setName(MODEL), spec.word()));
        HttpResponse<String> readyWithoutBroker = get("/q/health/ready");
        assertEquals(200, readyWithoutBroker.statusCode(), readyWithoutBroker.body());
        long brokerUp = System.nanoTime();
        broker.start();
        broker.createTopic(KafkaBrokerResource.TOPIC);
        await("the consumer reaches the broker and gets its partition", 60_000, () -> consumer.assignedPartitions() > 0);
        long connectMs = (System.nanoTime() - brokerUp) / 1_000_000;

        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> eventSwitchMs = new ArrayList<>();
        try {
            List<Future<?>> clients = startLoad(pool, stop, 3);
            awaitVersion("1", 60_000);
            // one event the service does not care about: the consumer is fetching (and warm) before the timed steps
            publish(broker, EventLog.event(LifecycleEvent.REGISTERED, "warmup", 1, null, null, "test", null));
            await("the first event arrives", 60_000, () -> events.count(LifecycleEvents.IGNORED + ":not-served") == 1);

            // 1. promotion 1 -> 2
            registry.setAlias(MODEL, "production", 2);
            LifecycleEvent promoted = log.append(EventLog.event(LifecycleEvent.PROMOTED, MODEL, 2, "production", 1,
                    "test", "promote"));
            eventSwitchMs.add(publishAndTimeSwitch(broker, promoted, "2", EVENT_SWITCH_MS, true));
            await("applied counted", 60_000, () -> events.count(LifecycleEvents.APPLIED) == 1);

            // 2. duplicate, stale, other model, other alias, garbage: nothing moves
            long received = events.count(LifecycleEvents.RECEIVED);
            long ignored = events.count(LifecycleEvents.IGNORED);
            long sentBefore = System.nanoTime();
            publish(broker, promoted);
            publish(broker, EventLog.event(LifecycleEvent.PROMOTED, MODEL, 1, "production", null, "test", "stale")
                    .withSequence(promoted.sequence() - 1));
            publish(broker, EventLog.event(LifecycleEvent.PROMOTED, "elsewhere", 7, "production", 6, "test", null)
                    .withSequence(promoted.sequence() + 100));
            publish(broker, EventLog.event(LifecycleEvent.PROMOTED, MODEL, 3, "candidate", null, "test", null)
                    .withSequence(promoted.sequence() + 101));
            broker.publish(KafkaBrokerResource.TOPIC, MODEL, "{not json");
            await("5 more events received and handled", 60_000,
                    () -> events.count(LifecycleEvents.RECEIVED) == received + 5
                            && events.count(LifecycleEvents.IGNORED) == ignored + 5);
            assertEquals(1, events.count(LifecycleEvents.APPLIED), events.counts().toString());
            assertEquals(2, events.count(LifecycleEvents.IGNORED + ":not-served"), events.counts().toString());
            assertEquals(1, events.count(LifecycleEvents.IGNORED + ":other-alias"), events.counts().toString());
            assertEquals(1, events.count(LifecycleEvents.IGNORED + ":malformed"), events.counts().toString());
            assertEquals(2, events.count(LifecycleEvents.IGNORED + ":unchanged")
                    + events.count(LifecycleEvents.IGNORED + ":coalesced"), events.counts().toString());
            assertEquals(new ModelKey(MODEL, 2), models.cache().followed().get(MODEL));
            await("load after the ignored events", 60_000, () -> outcomes.stream().filter(o -> o.sentNanos() > sentBefore).count() >= 3);
            assertTrue(outcomes.stream().filter(o -> o.sentNanos() > sentBefore).allMatch(o -> "2".equals(o.version())),
                    "version 2 keeps serving");

            // 3. rollback 2 -> 1
            registry.setAlias(MODEL, "production", 1);
            LifecycleEvent rolledBack = log.append(EventLog.event(LifecycleEvent.ROLLED_BACK, MODEL, 1, "production", 2,
                    "test", "rollback"));
            eventSwitchMs.add(publishAndTimeSwitch(broker, rolledBack, "1", EVENT_SWITCH_MS, true));

            // 4. broker down: the alias moves, no event can arrive; the service serves on and reconciles
            long stopping = System.nanoTime();
            broker.stop();
            long stopMs = (System.nanoTime() - stopping) / 1_000_000;
            registry.setAlias(MODEL, "production", 3);
            log.append(EventLog.event(LifecycleEvent.PROMOTED, MODEL, 3, "production", 1, "test", "during outage"));
            long downAt = System.nanoTime();
            await("steady load with the broker down", 60_000, () -> outcomes.stream().filter(o -> o.sentNanos() > downAt).count() > 3);
            assertTrue(outcomes.stream().filter(o -> o.sentNanos() > downAt).allMatch(o -> "1".equals(o.version())),
                    "no event, no poll yet: version 1 serves on");
            HttpResponse<String> ready = get("/q/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().replace(" ", "").contains("\"status\":\"UP\""), ready.body());
            models.reloadNow(); // the periodic reconciliation, run now instead of in 60 s
            assertEquals(new ModelKey(MODEL, 3), models.cache().followed().get(MODEL));
            awaitVersion("3", 60_000);

            // 5. broker back: the consumer reconnects by itself and events work again
            long starting = System.nanoTime();
            broker.start();
            long startMs = (System.nanoTime() - starting) / 1_000_000;
            registry.setAlias(MODEL, "production", 2);
            LifecycleEvent afterOutage = log.append(EventLog.event(LifecycleEvent.PROMOTED, MODEL, 2, "production", 3,
                    "test", "after outage"));
            // (the event, or the reconciliation the consumer runs when it gets its partition back, whichever comes first:
            // both are the event path, the poll never runs; so the applied counter is not required to rise here)
            long reconnectMs = publishAndTimeSwitch(broker, afterOutage, "2", EVENT_SWITCH_MS, false);

            stop.set(true);
            for (Future<?> c : clients) {
                c.get(30, TimeUnit.SECONDS);
            }
            System.out.printf("%s lifecycle events: switch after publish %s ms (limit %d), after broker restart %d ms "
                    + "(broker stop %d ms, start %d ms); first broker start to partition assigned %d ms; %d requests; "
                    + "counts %s%n", spec.service(), eventSwitchMs, EVENT_SWITCH_MS, reconnectMs, stopMs, startMs,
                    connectMs, outcomes.size(), events.counts());
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        List<Outcome> failures = outcomes.stream().filter(o -> o.failure() != null).toList();
        assertEquals(List.of(), failures, "no request failed");
        assertTrue(outcomes.size() > 100, "steady load: " + outcomes.size());
        String metrics = get("/q/metrics").body();
        assertTrue(metrics.contains("crossmodal_lifecycle_events_received_total{type=\"ModelPromoted\"}"), metrics);
        // at least once: after the broker restart the consumer may get the rollback event again (its offset was
        // not committed yet); it then only wakes a re-check, which may find the alias moved since and switch,
        // so the counts are >= 1, not == 1 (the served-version checks above prove nothing swapped twice or backwards;
        // the malformed record can come again the same way)
        assertTrue(sample(metrics, "crossmodal_lifecycle_events_applied_total{type=\"ModelRolledBack\"}") >= 1.0);
        assertTrue(sample(metrics, "crossmodal_lifecycle_events_ignored_total{reason=\"malformed\"}") >= 1.0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(base.toURI().resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample line of the Prometheus / OpenMetrics text (an exemplar may follow the value). */
    private static double sample(String text, String nameAndLabels) {
        for (String line : text.split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no sample " + nameAndLabels + " in\n" + text);
    }

    private void startLoad(ExecutorService pool, AtomicBoolean stop, List<Future<?>> into, int threads) {
        for (int t = 0; t < threads; t++) {
            into.add(pool.submit(() -> {
                List<List<String>> words = List.of(spec.word(), spec.otherWord());
                for (int i = 0; !stop.get(); i++) {
                    long sent = System.nanoTime();
                    try {
                        String v = spec.inferVersion(channel, ModelRef.newBuilder().setName(MODEL),
                                words.get(i % words.size()));
                        outcomes.add(new Outcome(sent, System.nanoTime(), v, null));
                    } catch (RuntimeException e) {
                        outcomes.add(new Outcome(sent, System.nanoTime(), null, e.toString()));
                    }
                }
            }));
        }
    }

    private List<Future<?>> startLoad(ExecutorService pool, AtomicBoolean stop, int threads) {
        List<Future<?>> clients = new ArrayList<>();
        startLoad(pool, stop, clients, threads);
        return clients;
    }

    private static void publish(EmbeddedKafka broker, LifecycleEvent event) {
        broker.publish(KafkaBrokerResource.TOPIC, event.model(), EventLog.toJson(event));
    }

    /**
     * Publishes the event and returns the ms from publishing to the first answer by {@code version} (reported, not
     * asserted; {@code limitMs} only guards against a hang). With {@code eventApplies} the event must be counted as
     * applied (not merely found unchanged after another re-check moved the version); every request
     * sent after that answer must be answered by {@code version}.
     */
    private long publishAndTimeSwitch(EmbeddedKafka broker, LifecycleEvent event, String version, long limitMs,
            boolean eventApplies) throws InterruptedException {
        long applied = events.count(LifecycleEvents.APPLIED);
        long published = System.nanoTime();
        publish(broker, event);
        long firstDone = awaitVersionSince(version, published, limitMs);
        long ms = (firstDone - published) / 1_000_000;
        // the event did it (the poll does not run during the test): the service counted it as applied
        if (eventApplies) {
            await(event.type() + " counted as applied", limitMs, () -> events.count(LifecycleEvents.APPLIED) > applied);
        }
        await("steady load after the switch", limitMs, () -> outcomes.stream().filter(o -> o.sentNanos() > firstDone).count() >= 3);
        List<Outcome> after = outcomes.stream().filter(o -> o.sentNanos() > firstDone).toList();
        assertTrue(after.stream().allMatch(o -> version.equals(o.version())),
                "every request sent after the first answer of version " + version + " gets it");
        return ms;
    }

    private void awaitVersion(String version, long timeoutMs) throws InterruptedException {
        awaitVersionSince(version, System.nanoTime(), timeoutMs);
    }

    /** When the first request sent after {@code since} was answered by {@code version}. */
    private long awaitVersionSince(String version, long since, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            var first = outcomes.stream().filter(o -> o.sentNanos() >= since && version.equals(o.version()))
                    .mapToLong(Outcome::doneNanos).min();
            if (first.isPresent()) {
                return first.getAsLong();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no answer from version " + version + " within " + timeoutMs + " ms; followed "
                        + models.cache().followed() + ", reloads " + models.reloadStatus() + ", events " + events.counts());
            }
            Thread.sleep(5);
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }
}
