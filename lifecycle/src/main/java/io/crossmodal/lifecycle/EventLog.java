package io.crossmodal.lifecycle;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Append-only log of registry changes in {@code <registry>/.events/}, one file per event named by
 * its 12-digit sequence number. It is the outbox the trainer relays to the broker: whatever
 * process changes the registry (CLI, Trainer API, CI) appends here, and a relay publishes what it
 * has not published yet, so no change is lost while the broker is down.
 *
 * <p>Appends are safe across processes: the event is written to a dot-temp file, then claimed with
 * a hard link to the next free sequence name, which fails if another writer took that number (a
 * rename would silently replace); the writer then retries with the next number. A crash leaves at
 * most an invisible temp file. The directory starts with a dot, so the registry never lists it as
 * a model.
 */
public final class EventLog {

    public static final String DIR = ".events";
    private static final ObjectMapper JSON = Json.LINE;

    private final Path dir;

    public EventLog(Path registryRoot) {
        this.dir = registryRoot.resolve(DIR);
    }

    public Path dir() {
        return dir;
    }

    /** Builds a new event (fresh id, current time) for {@link #append(LifecycleEvent)}. */
    public static LifecycleEvent event(String type, String model, int version, String alias, Integer previousVersion,
            String actor, String reason) {
        return new LifecycleEvent(LifecycleEvent.SCHEMA, UUID.randomUUID().toString(), 0, type, model, version, alias,
                previousVersion, actor, reason, Instant.now().toString());
    }

    /**
     * The event as the JSON the log stores and the relay publishes (one object, the record's field names).
     */
    public static String toJson(LifecycleEvent event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise lifecycle event " + event.eventId(), e);
        }
    }

    /**
     * Parses one event as {@link #toJson} writes it; unknown fields are ignored (newer producers).
     *
     * @throws IllegalArgumentException not JSON, or not a valid event (missing or bad fields)
     */
    public static LifecycleEvent fromJson(String json) {
        try {
            return JSON.readValue(json, LifecycleEvent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a lifecycle event: " + e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a lifecycle event: " + e.getMessage(), e);
        }
    }

    /** Appends the event at the next free sequence number and returns it with that number. */
    public LifecycleEvent append(LifecycleEvent event) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            try {
                for (long seq = lastSequence() + 1; ; seq++) {
                    LifecycleEvent e = event.withSequence(seq);
                    Files.write(tmp, JSON.writeValueAsBytes(e));
                    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                    try {
                        Files.createLink(dir.resolve(name(seq)), tmp);
                        fsyncDir();
                        return e;
                    } catch (FileAlreadyExistsException taken) {
                        // another writer claimed seq; try the next number
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to event log " + dir, e);
        }
    }

    /** Events with sequence greater than {@code after}, ascending. */
    public List<LifecycleEvent> readAfter(long after) {
        List<LifecycleEvent> out = new ArrayList<>();
        for (long seq : sequences()) {
            if (seq > after) {
                try {
                    out.add(JSON.readValue(dir.resolve(name(seq)).toFile(), LifecycleEvent.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable event " + dir.resolve(name(seq)), e);
                }
            }
        }
        return out;
    }

    /** Highest sequence in the log, 0 if empty. */
    public long lastSequence() {
        List<Long> s = sequences();
        return s.isEmpty() ? 0 : s.get(s.size() - 1);
    }

    private List<Long> sequences() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9]{12}\\.json"))
                    .map(n -> Long.parseLong(n.substring(0, 12)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list event log " + dir, e);
        }
    }

    private static String name(long seq) {
        return String.format("%012d.json", seq);
    }

    private void fsyncDir() {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the link itself is durable enough there
        }
    }
}
