package io.crossmodal.trainer.api;

import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.progress.ProgressEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One job of the Trainer API: config, state, progress history (bounded) and live listeners; run by {@link JobManager}. */
public final class JobRecord {
    private static final int MAX_EVENTS = 10_000;

    public enum State { QUEUED, PREPARING, RUNNING, EXPORTING, SUCCEEDED, FAILED, CANCELLED }

    /** A progress event with the job's state when it happened. */
    public record Stamped(ProgressEvent event, State state) {
    }

    public final String id;
    public final String requestId;
    public final String idempotencyKey;
    final String fingerprint;
    public final JobConfig config;
    /** The finished job whose checkpoints this one continues from; null = from scratch. */
    public final String resumeFrom;
    public final Instant createdAt;
    volatile Instant startedAt;
    volatile Instant finishedAt;
    volatile State state = State.QUEUED;
    volatile String message = "queued";
    volatile boolean cancelRequested;
    /** The job's process has been allowed to register its bundle: too late to cancel. */
    volatile boolean registering;
    volatile JobStore.Exported exported;
    Process process;
    final List<Stamped> events = new ArrayList<>();
    final List<Consumer<JobRecord>> listeners = new CopyOnWriteArrayList<>();

    JobRecord(String id, String requestId, String idempotencyKey, String fingerprint, JobConfig config, String resumeFrom,
            Instant createdAt) {
        this.id = id;
        this.requestId = requestId;
        this.idempotencyKey = idempotencyKey;
        this.fingerprint = fingerprint;
        this.config = config;
        this.resumeFrom = resumeFrom;
        this.createdAt = createdAt;
    }

    public State state() {
        return state;
    }

    public String message() {
        return message;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public JobStore.Exported exported() {
        return exported;
    }

    public boolean terminal() {
        return state == State.SUCCEEDED || state == State.FAILED || state == State.CANCELLED;
    }

    // the events have their own lock, never the record's: listeners run while the record is locked
    public List<Stamped> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public Optional<Stamped> latest() {
        synchronized (events) {
            return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
        }
    }

    void add(Stamped e) {
        synchronized (events) {
            if (events.size() >= MAX_EVENTS) {
                events.remove(0);
            }
            events.add(e);
        }
    }

    void notifyListeners() {
        listeners.forEach(l -> l.accept(this));
    }

    JobStore.JobFile file() {
        return new JobStore.JobFile(id, requestId, idempotencyKey, fingerprint, createdAt.toString(),
                startedAt == null ? null : startedAt.toString(), finishedAt == null ? null : finishedAt.toString(),
                state.name(), message, config.toJson(), exported, resumeFrom);
    }
}
