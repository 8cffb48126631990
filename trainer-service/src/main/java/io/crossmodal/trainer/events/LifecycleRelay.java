package io.crossmodal.trainer.events;

import io.crossmodal.lifecycle.EventLog;
import io.crossmodal.lifecycle.LifecycleEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Relays the registry's {@link EventLog} (the outbox at {@code <registry>/.events/}) to the broker: every
 * {@code crossmodal.events.relay.poll-interval} it reads the events after the last one the broker
 * acknowledged and publishes them, in sequence order and one at a time, on the outgoing channel
 * {@value #CHANNEL} (Kafka topic {@code model-lifecycle}; key: the model name, value: the event JSON,
 * {@link EventLog#toJson}). After each broker acknowledgement it records that event's sequence in
 * {@code <registry>/.events/}{@value #OFFSET_FILE} (written to a temp file, fsynced, atomically moved), so:
 * <ul>
 *   <li>a broker outage (or a send that is not acknowledged in {@code send-timeout}) stops the round; the
 *       same event is sent again next round, and the outage is logged once, not every round;</li>
 *   <li>a crash between the ack and the offset write sends that event again after the restart: delivery
 *       is at least once, and consumers are idempotent (they re-check the registry; docs/EVENTS.md);</li>
 *   <li>nothing is ever skipped: the offset only moves past events the broker has.</li>
 * </ul>
 * Run one relay per registry (two would publish everything twice: harmless, but pointless).
 * {@code crossmodal.events.relay.enabled=false} switches it off.
 */
@ApplicationScoped
public class LifecycleRelay {

    public static final String CHANNEL = "model-lifecycle";
    public static final String OFFSET_FILE = ".relay-offset";

    private static final Logger LOG = Logger.getLogger(LifecycleRelay.class);

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<String> emitter;

    @ConfigProperty(name = "crossmodal.registry.dir")
    String registryDir;

    @ConfigProperty(name = "crossmodal.events.relay.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "crossmodal.events.relay.poll-interval", defaultValue = "1s")
    Duration pollInterval;

    @ConfigProperty(name = "crossmodal.events.relay.send-timeout", defaultValue = "30s")
    Duration sendTimeout;

    private EventLog log;
    private Path offsetFile;
    private ScheduledExecutorService poller;
    /** The polling task; done (cancelled or ended by an uncaught throwable) means the relay is dead. */
    private volatile java.util.concurrent.ScheduledFuture<?> task;
    /** System.nanoTime() at the end of the last round (or the start). */
    private volatile long lastRoundNanos = System.nanoTime();
    private final AtomicLong published = new AtomicLong();
    /** The reason of the failure that stopped the last round (logged once per outage), null when fine. */
    private String failing;

    void start(@Observes StartupEvent event) {
        Path root = Path.of(registryDir).toAbsolutePath().normalize();
        log = new EventLog(root);
        offsetFile = log.dir().resolve(OFFSET_FILE);
        if (!enabled) {
            LOG.info("lifecycle event relay is off (crossmodal.events.relay.enabled=false)");
            return;
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("crossmodal.events.relay.poll-interval must be positive, got " + pollInterval);
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifecycle-relay");
            t.setDaemon(true);
            return t;
        });
        schedule();
        LOG.infof("relaying lifecycle events from %s to channel %s every %s (acknowledged up to #%d)", log.dir(), CHANNEL,
                pollInterval, acknowledged());
    }

    private synchronized void schedule() {
        long ms = Math.max(1, pollInterval.toMillis());
        lastRoundNanos = System.nanoTime();
        task = poller.scheduleWithFixedDelay(this::relayQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void relayQuietly() {
        try {
            relayOnce();
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "lifecycle event relay round failed unexpectedly; retrying in %s", pollInterval);
        }
        lastRoundNanos = System.nanoTime();
    }

    /**
     * Whether the relay is alive: off, or its polling task still scheduled and a round finished within
     * {@code send-timeout} plus three poll intervals plus a minute (a round may wait for several acks).
     */
    public boolean alive() {
        if (!enabled) {
            return true;
        }
        java.util.concurrent.ScheduledFuture<?> t = task;
        long stall = sendTimeout.toNanos() + 3 * pollInterval.toNanos() + TimeUnit.MINUTES.toNanos(1);
        return t != null && !t.isDone() && System.nanoTime() - lastRoundNanos < stall;
    }

    /** Starts polling again after the task died (readiness calls this once it has reported the relay DOWN). */
    public synchronized void restart() {
        if (!enabled || poller == null || (task != null && !task.isDone() && alive())) {
            return;
        }
        if (task != null) {
            task.cancel(true);
        }
        LOG.warn("the lifecycle event relay had stopped; restarting it");
        schedule();
    }

    /** Stops the polling task as an uncaught error would (tests). */
    void stopForTest() {
        task.cancel(true);
    }

    /**
     * One round: publishes the events after the acknowledged offset, in order, each one only after the
     * previous one was acknowledged, moving the offset after each ack; stops at the first failure.
     *
     * @return how many events the broker acknowledged in this round
     */
    public synchronized int relayOnce() {
        long offset = acknowledged();
        List<LifecycleEvent> pending;
        try {
            pending = log.readAfter(offset);
        } catch (UncheckedIOException e) {
            fail("cannot read the event log: " + e.getMessage(), offset, -1);
            return 0;
        }
        int sent = 0;
        for (LifecycleEvent event : pending) {
            try {
                emitter.sendMessage(KafkaRecord.of(event.model(), EventLog.toJson(event))).await().atMost(sendTimeout);
            } catch (RuntimeException e) {
                fail(e.getClass().getSimpleName() + ": " + e.getMessage(), event.sequence() - 1, pending.size() - sent);
                return sent;
            }
            writeOffset(event.sequence());
            sent++;
            published.incrementAndGet();
            if (failing != null) {
                LOG.infof("publishing lifecycle events again (event #%d acknowledged); was failing: %s", event.sequence(),
                        failing);
                failing = null;
            }
            LOG.debugf("published lifecycle event #%d %s %s v%d", event.sequence(), event.type(), event.model(),
                    event.version());
        }
        return sent;
    }

    private void fail(String reason, long acknowledgedUpTo, int waiting) {
        if (failing == null) {
            LOG.warnf("cannot publish lifecycle events to channel %s (%s); %s wait in %s after #%d and are retried every %s",
                    CHANNEL, reason, waiting < 0 ? "events" : waiting + " event(s)", log.dir(), acknowledgedUpTo,
                    pollInterval);
        }
        failing = reason;
    }

    /** The sequence of the last event the broker acknowledged (0: none yet), as persisted. */
    public long acknowledged() {
        if (!Files.exists(offsetFile)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(offsetFile, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            LOG.warnf("unreadable relay offset %s (%s): relaying the whole event log again", offsetFile, e.getMessage());
            return 0;
        }
    }

    /** Events acknowledged by the broker since this process started. */
    public long published() {
        return published.get();
    }

    /** The event log being relayed. */
    public EventLog eventLog() {
        return log;
    }

    private void writeOffset(long sequence) {
        Path tmp = offsetFile.resolveSibling(OFFSET_FILE + ".tmp-" + UUID.randomUUID());
        try {
            Files.writeString(tmp, sequence + "\n", StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the relay offset " + offsetFile, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing to clean up
            }
        }
    }

    @PreDestroy
    void stop() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
