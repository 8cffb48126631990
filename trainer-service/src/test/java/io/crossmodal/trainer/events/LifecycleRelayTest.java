package io.crossmodal.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.lifecycle.EventLog;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.crossmodal.serving.common.testing.kafka.EmbeddedKafka;
import io.crossmodal.serving.common.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The relay against a real Kafka broker (in-process KRaft, {@link KafkaBrokerResource}): it publishes the
 * registry's event log in order (key: the model, value: the event JSON); while the broker is down its sends
 * fail (logged once) and are retried, the offset stays; once the broker is back it publishes what waited,
 * losing nothing, and persists the sequence the broker acknowledged so it does not publish again what the
 * broker has.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(LifecycleRelayTest.RelayRegistry.class)
class LifecycleRelayTest {

    /** An empty temporary registry, the relay on and polling every 100 ms, short producer timeouts. */
    public static class RelayRegistry implements QuarkusTestResourceLifecycleManager {
        static volatile Path root;

        @Override
        public Map<String, String> start() {
            try {
                root = Files.createTempDirectory("crossmodal-relay-registry-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("crossmodal.registry.dir", root.toString(),
                    "crossmodal.events.relay.enabled", "true",
                    "crossmodal.events.relay.poll-interval", "100ms",
                    "crossmodal.events.relay.send-timeout", "5s",
                    // a send fails within 1 s while the broker is down, so the outage below exercises nack + retry
                    "mp.messaging.outgoing.model-lifecycle.max.block.ms", "1000",
                    "mp.messaging.outgoing.model-lifecycle.request.timeout.ms", "700",
                    "mp.messaging.outgoing.model-lifecycle.delivery.timeout.ms", "1000");
        }

        @Override
        public void stop() {
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir; best effort
            }
        }
    }

    @Inject
    LifecycleRelay relay;

    @Inject
    @org.eclipse.microprofile.health.Readiness
    RelayReadinessCheck readiness;

    /** A relay whose polling died makes the trainer not ready, and is restarted (the next probe is ready). */
    @Test
    void readinessReflectsTheRelaysHealth() {
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.UP, readiness.call().getStatus());
        relay.stopForTest();
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.DOWN, readiness.call().getStatus());
        assertTrue(relay.alive(), "restarted by the probe");
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.UP, readiness.call().getStatus());
    }

    @Test
    void publishesTheLogInOrderSurvivesABrokerOutageAndPersistsItsOffset() throws Exception {
        EmbeddedKafka broker = KafkaBrokerResource.broker();
        EventLog log = new EventLog(RelayRegistry.root);
        Path offsetFile = log.dir().resolve(LifecycleRelay.OFFSET_FILE);
        List<LifecycleEvent> appended = new ArrayList<>();
        appended.add(log.append(EventLog.event(LifecycleEvent.REGISTERED, "cmudict", 1, null, null, "test", null)));
        appended.add(log.append(EventLog.event(LifecycleEvent.PROMOTED, "cmudict", 1, "production", null, "test", "gate")));
        appended.add(log.append(EventLog.event(LifecycleEvent.REGISTERED, "other", 1, null, null, "test", null)));

        try (KafkaConsumer<String, String> consumer = consumer(broker)) {
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            poll(consumer, got, () -> sequences(got).size() == 3, 20_000);
            for (ConsumerRecord<String, String> r : got) {
                LifecycleEvent e = EventLog.fromJson(r.value());
                assertEquals(appended.get((int) e.sequence() - 1), e, "the published event is the logged one");
                assertEquals(e.model(), r.key(), "keyed by model");
            }
            assertEquals(List.of(1L, 2L, 3L), got.stream().map(r -> EventLog.fromJson(r.value()).sequence()).distinct()
                    .toList(), "in log order");
            await("offset 3 persisted", 5_000, () -> readOffset(offsetFile) == 3);

            // broker down: new events wait in the log, the offset does not move
            List<String> warnings = new ArrayList<>();
            Handler capture = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                        synchronized (warnings) {
                            warnings.add(String.valueOf(record.getMessage()));
                        }
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            Logger relayLog = Logger.getLogger(LifecycleRelay.class.getName());
            relayLog.addHandler(capture);
            broker.stop();
            appended.add(log.append(EventLog.event(LifecycleEvent.PROMOTED, "cmudict", 2, "production", 1, "test", null)));
            appended.add(log.append(EventLog.event(LifecycleEvent.ROLLED_BACK, "cmudict", 1, "production", 2, "test", null)));
            // no clock: wait for the outage to be logged, then drive two more failing rounds from here (each one a
            // retry that times out at the producer's 1 s max.block); the polling rounds of the relay go on meanwhile
            await("the outage to be logged", 60_000, () -> {
                synchronized (warnings) {
                    return !warnings.isEmpty();
                }
            });
            assertEquals(0, relay.relayOnce(), "a retry while the broker is down publishes nothing");
            assertEquals(0, relay.relayOnce(), "a retry while the broker is down publishes nothing");
            assertEquals(3, readOffset(offsetFile), "nothing acknowledged while the broker is down");
            relayLog.removeHandler(capture);
            synchronized (warnings) {
                assertEquals(1, warnings.size(), "the outage is logged once, not every retry: " + warnings);
            }

            // broker back: the relay catches up, nothing lost, order kept
            long restarted = System.nanoTime();
            broker.start();
            poll(consumer, got, () -> sequences(got).size() == 5, 30_000);
            long caughtUpMs = (System.nanoTime() - restarted) / 1_000_000;
            assertEquals(new TreeSet<>(List.of(1L, 2L, 3L, 4L, 5L)), sequences(got), "no event lost");
            List<Long> order = got.stream().map(r -> EventLog.fromJson(r.value()).sequence()).toList();
            assertTrue(order.lastIndexOf(4L) < order.lastIndexOf(5L) && order.indexOf(4L) > order.indexOf(3L),
                    "in log order: " + order);
            await("offset 5 persisted", 5_000, () -> readOffset(offsetFile) == 5);
            assertEquals(5, relay.acknowledged());

            // the persisted offset is where the relay resumes: nothing is published again
            // (counters and the broker's end offset, not a wait for records that should not come)
            TopicPartition tp = new TopicPartition(KafkaBrokerResource.TOPIC, 0);
            long endBefore = consumer.endOffsets(List.of(tp)).get(tp);
            long publishedBefore = relay.published();
            assertEquals(0, relay.relayOnce());
            assertEquals(publishedBefore, relay.published(), "no republishing of acknowledged events");
            assertEquals(endBefore, consumer.endOffsets(List.of(tp)).get(tp), "nothing new on the topic");
            System.out.printf("LifecycleRelayTest: %d records for 5 events; caught up %d ms after the broker restart%n",
                    got.size(), caughtUpMs);
        }
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafka broker) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer());
        TopicPartition tp = new TopicPartition(KafkaBrokerResource.TOPIC, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        return c;
    }

    private static void poll(KafkaConsumer<String, String> consumer, List<ConsumerRecord<String, String>> into,
            BooleanSupplier done, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(into::add);
        }
        if (timeoutMs > 1_000) {
            assertTrue(done.getAsBoolean(), "timed out; got " + into.stream().map(ConsumerRecord::value).toList());
        }
    }

    private static TreeSet<Long> sequences(List<ConsumerRecord<String, String>> records) {
        TreeSet<Long> s = new TreeSet<>();
        records.forEach(r -> s.add(EventLog.fromJson(r.value()).sequence()));
        return s;
    }

    private static long readOffset(Path file) {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
