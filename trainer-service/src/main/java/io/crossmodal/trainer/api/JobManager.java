package io.crossmodal.trainer.api;

import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.train.ComponentTrainer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Runs training jobs one at a time (a 2-core machine gains nothing from two at once) and keeps
 * their progress so a stream can replay it and then follow it live.
 */
@ApplicationScoped
public class JobManager {
    private static final Logger LOG = Logger.getLogger(JobManager.class);
    private static final int MAX_EVENTS = 10_000;

    public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    /** One job: config, state, progress history and live listeners. */
    public static final class JobRecord {
        public final String id;
        public final String requestId;
        public final JobConfig config;
        public final Instant createdAt = Instant.now();
        volatile Instant startedAt;
        volatile Instant finishedAt;
        volatile State state = State.QUEUED;
        volatile String message = "queued";
        volatile boolean cancelRequested;
        volatile TrainingRun.Outcome outcome;
        final List<ProgressEvent> events = new ArrayList<>();
        final List<Consumer<JobRecord>> listeners = new CopyOnWriteArrayList<>();

        JobRecord(String id, String requestId, JobConfig config) {
            this.id = id;
            this.requestId = requestId;
            this.config = config;
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

        public TrainingRun.Outcome outcome() {
            return outcome;
        }

        public boolean terminal() {
            return state == State.SUCCEEDED || state == State.FAILED || state == State.CANCELLED;
        }

        public synchronized List<ProgressEvent> events() {
            return List.copyOf(events);
        }

        public synchronized Optional<ProgressEvent> latest() {
            return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
        }

        synchronized void add(ProgressEvent e) {
            if (events.size() >= MAX_EVENTS) {
                events.remove(0);
            }
            events.add(e);
        }

        void notifyListeners() {
            listeners.forEach(l -> l.accept(this));
        }
    }

    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-jobs");
        t.setDaemon(true);
        return t;
    });

    public JobRecord submit(JobConfig config, String requestId) {
        JobRecord job = new JobRecord(UUID.randomUUID().toString(), requestId, config);
        jobs.put(job.id, job);
        executor.submit(() -> run(job));
        LOG.infof("job %s queued (model %s, request %s)", job.id, config.name(), requestId);
        return job;
    }

    private void run(JobRecord job) {
        if (job.cancelRequested) {
            finish(job, State.CANCELLED, "cancelled before start");
            return;
        }
        job.startedAt = Instant.now();
        job.state = State.RUNNING;
        job.message = "running";
        job.notifyListeners();
        try {
            job.outcome = TrainingRun.run(job.config, e -> {
                job.add(e);
                job.notifyListeners();
            }, () -> job.cancelRequested, "trainer-api" + (job.requestId == null || job.requestId.isBlank() ? ""
                    : ":request-" + job.requestId));
            finish(job, State.SUCCEEDED, job.outcome.bundle() == null ? "trained"
                    : "exported " + job.outcome.bundle().model() + "/" + job.outcome.bundle().version());
        } catch (ComponentTrainer.CancelledException e) {
            finish(job, State.CANCELLED, e.getMessage());
        } catch (Throwable e) {
            LOG.errorf(e, "job %s failed", job.id);
            finish(job, State.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void finish(JobRecord job, State state, String message) {
        job.finishedAt = Instant.now();
        job.message = message;
        job.state = state;
        LOG.infof("job %s %s: %s", job.id, state, message);
        job.notifyListeners();
    }

    public Optional<JobRecord> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public Collection<JobRecord> all() {
        return jobs.values();
    }

    /** Requests cancellation; a running job stops at its next step. */
    public Optional<JobRecord> cancel(String id) {
        JobRecord job = jobs.get(id);
        if (job != null && !job.terminal()) {
            job.cancelRequested = true;
            job.message = "cancelling";
            job.notifyListeners();
        }
        return Optional.ofNullable(job);
    }

    @PreDestroy
    void shutdown() {
        jobs.values().forEach(j -> j.cancelRequested = true);
        executor.shutdownNow();
    }
}
