package io.crossmodal.trainer.api;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.crossmodal.core.bundle.Bundle;
import io.crossmodal.core.bundle.ModelRegistry;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ProgressEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs training jobs one at a time (a 2-core machine gains nothing from two at once), each in its own JVM
 * ({@link JobProcess}) and its own run directory {@code <runs-dir>/<job id>}, and keeps their progress so a
 * stream can follow it. Admission: at most {@code crossmodal.trainer.jobs.max-queued} unfinished jobs
 * (RESOURCE_EXHAUSTED beyond); finished jobs are pruned after {@code crossmodal.trainer.jobs.retention} (their
 * bundles stay in the registry). Job records persist in the runs directory ({@link JobStore}): after a restart
 * every earlier job is listed with its final state, or as FAILED "lost: ..." if it was unfinished.
 */
@ApplicationScoped
public class JobManager {
    private static final Logger LOG = Logger.getLogger(JobManager.class);
    private static final int MAX_EVENTS = 10_000;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public enum State { QUEUED, PREPARING, RUNNING, EXPORTING, SUCCEEDED, FAILED, CANCELLED }

    /** The job queue is full. */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(String message) {
            super(message);
        }
    }

    /** A progress event with the job's state when it happened. */
    public record Stamped(ProgressEvent event, State state) {
    }

    /** One job: config, state, progress history and live listeners. */
    public static final class JobRecord {
        public final String id;
        public final String requestId;
        public final String idempotencyKey;
        final String fingerprint;
        public final JobConfig config;
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

        JobRecord(String id, String requestId, String idempotencyKey, String fingerprint, JobConfig config, Instant createdAt) {
            this.id = id;
            this.requestId = requestId;
            this.idempotencyKey = idempotencyKey;
            this.fingerprint = fingerprint;
            this.config = config;
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
                    state.name(), message, config.toJson(), exported);
        }
    }

    @ConfigProperty(name = "crossmodal.trainer.runs-dir")
    String runsDirConfig;

    @ConfigProperty(name = "crossmodal.registry.dir")
    String registryDir;

    @ConfigProperty(name = "crossmodal.trainer.jobs.max-queued", defaultValue = "16")
    int maxQueued;

    @ConfigProperty(name = "crossmodal.trainer.jobs.retention", defaultValue = "7d")
    Duration retention;

    @ConfigProperty(name = "crossmodal.trainer.jobs.max-retained", defaultValue = "1000")
    int maxRetained;

    @ConfigProperty(name = "crossmodal.trainer.job.max-heap", defaultValue = "2g")
    String maxHeap;

    @ConfigProperty(name = "crossmodal.trainer.job.classpath")
    Optional<String> classpath;

    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-jobs");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService pruner = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trainer-jobs-pruner");
        t.setDaemon(true);
        return t;
    });
    private Path runsDir;
    private JobStore store;
    private String childClasspath;

    @PostConstruct
    void init() {
        runsDir = Path.of(runsDirConfig).toAbsolutePath().normalize();
        store = new JobStore(runsDir);
        childClasspath = JobProcess.classpath(classpath.orElse(null));
        if (!maxHeap.matches("[0-9]{1,6}[kKmMgG]?")) {
            throw new IllegalStateException("crossmodal.trainer.job.max-heap must be a JVM heap size such as 2g, got '"
                    + maxHeap + "'");
        }
        for (JobStore.JobFile f : store.readAll()) {
            try {
                JobRecord j = restore(f);
                jobs.put(j.id, j);
            } catch (RuntimeException e) {
                LOG.warnf("job record %s unusable (%s); skipped", f.id(), CallerInput.forLog(e.getMessage()));
            }
        }
        LOG.infof("job runs in %s (%d earlier job(s)); each job in its own JVM, heap at most %s", runsDir, jobs.size(),
                maxHeap);
        long every = Math.max(1000, Math.min(retention.toMillis() / 10, 60_000));
        pruner.scheduleWithFixedDelay(this::pruneQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** A stored job as a record; one that was unfinished when the trainer stopped is marked lost. */
    private JobRecord restore(JobStore.JobFile f) {
        JobRecord j = new JobRecord(f.id(), f.requestId(), f.idempotencyKey(), f.fingerprint(), JobConfig.parse(f.config()),
                Instant.parse(f.createdAt()));
        j.startedAt = f.startedAt() == null ? null : Instant.parse(f.startedAt());
        j.finishedAt = f.finishedAt() == null ? null : Instant.parse(f.finishedAt());
        j.state = State.valueOf(f.state());
        j.message = f.message() == null ? "" : f.message();
        j.exported = f.exported();
        if (!j.terminal()) {
            State was = j.state;
            j.state = State.FAILED;
            j.finishedAt = Instant.now();
            j.message = "lost: the trainer stopped while the job was " + was + "; it did not finish (its run directory"
                    + " is kept; start it again to train it)";
            persist(j);
            LOG.warnf("job %s was %s when the trainer stopped: marked lost", j.id, was);
        }
        return j;
    }

    public Path runsDir() {
        return runsDir;
    }

    /**
     * Admits a job: returns the job already started with the same idempotency key and request, or queues a new
     * one. IllegalStateException when the key was used for another request; QueueFullException when full.
     */
    public synchronized JobRecord submit(JobConfig config, String requestId, String idempotencyKey, String fingerprint) {
        if (!idempotencyKey.isEmpty()) {
            for (JobRecord j : jobs.values()) {
                if (idempotencyKey.equals(j.idempotencyKey)) {
                    if (!fingerprint.equals(j.fingerprint)) {
                        throw new IllegalStateException("idempotency_key was already used for a different job config"
                                + " (job " + j.id + ")");
                    }
                    return j;
                }
            }
        }
        long unfinished = jobs.values().stream().filter(j -> !j.terminal()).count();
        if (unfinished >= maxQueued) {
            throw new QueueFullException("the trainer has " + unfinished + " unfinished jobs, its limit"
                    + " (crossmodal.trainer.jobs.max-queued); retry when one has finished");
        }
        String id = UUID.randomUUID().toString();
        JobConfig placed = new JobConfig(config.name(), config.family(), config.data(), config.split(), config.model(),
                config.train(), config.components(), config.seed(), config.export(), store.runDir(id).toString(),
                registryDir, config.semi());
        JobRecord job = new JobRecord(id, requestId, idempotencyKey.isEmpty() ? null : idempotencyKey, fingerprint, placed,
                Instant.now());
        persist(job);
        jobs.put(job.id, job);
        executor.submit(() -> run(job));
        LOG.infof("job %s queued (model %s, request %s)", job.id, config.name(), CallerInput.forLog(requestId));
        return job;
    }

    private void run(JobRecord job) {
        try {
            runInProcess(job);
        } catch (Throwable e) {
            // the worker thread must survive anything a job does
            LOG.errorf(e, "job %s failed in the trainer", job.id);
            synchronized (job) {
                if (!job.terminal()) {
                    finish(job, State.FAILED, "the trainer could not run the job: " + e.getClass().getSimpleName());
                }
            }
        }
    }

    private void runInProcess(JobRecord job) throws IOException, InterruptedException {
        Process p;
        synchronized (job) {
            if (job.terminal()) {
                return;
            }
            job.startedAt = Instant.now();
            update(job, State.PREPARING, "starting the job's process");
            Path dir = store.runDir(job.id);
            Files.createDirectories(dir);
            Path configFile = dir.resolve("job-config.json");
            Files.writeString(configFile, job.config.toJson());
            String actor = "trainer-api" + (job.requestId == null || job.requestId.isBlank() ? ""
                    : ":request-" + job.requestId);
            p = JobProcess.start(JobProcess.command(childClasspath, maxHeap, configFile, actor), dir.resolve("job.log"),
                    job.config.train().threads());
            job.process = p;
        }
        boolean succeeded = false;
        String failure = null;
        String model = null;
        int version = -1;
        int threads = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream()) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                JsonNode m;
                try {
                    m = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // not a protocol line
                }
                switch (m.path("type").asText()) {
                    case "progress" -> onProgress(job, JSON.treeToValue(m.get("event"), ProgressEvent.class));
                    case "register" -> {
                        boolean go;
                        synchronized (job) {
                            go = !job.cancelRequested;
                            job.registering = go;
                        }
                        in.write((go ? "go\n" : "cancel\n").getBytes(StandardCharsets.UTF_8));
                        in.flush();
                    }
                    case "outcome" -> {
                        succeeded = true;
                        threads = m.path("threads").asInt();
                        if (m.hasNonNull("model")) {
                            model = m.get("model").asText();
                            version = m.get("version").asInt();
                        }
                    }
                    case "failed" -> failure = m.path("message").asText();
                    default -> {
                        // "cancelled" and unknown types: the exit code decides
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed (cancelled) or closed its output: its exit code decides
        }
        int rc = p.waitFor();
        JobStore.Exported exported = null;
        if (succeeded && rc == 0 && model != null) {
            exported = exported(model, version);
        }
        synchronized (job) {
            job.process = null;
            if (succeeded && rc == 0) {
                job.exported = exported;
                finish(job, State.SUCCEEDED, (model == null ? "trained (not exported)" : "exported " + model + "/" + version)
                        + "; trained with " + threads + " thread" + (threads == 1 ? "" : "s"));
            } else if (job.cancelRequested) {
                finish(job, State.CANCELLED, "cancelled while " + job.state.name().toLowerCase(java.util.Locale.ROOT));
            } else if (failure != null) {
                finish(job, State.FAILED, failure);
            } else {
                finish(job, State.FAILED, "the job's process ended with exit code " + rc + (rc == 3
                        ? " (out of memory: its heap is limited to " + maxHeap + ", crossmodal.trainer.job.max-heap)" : "")
                        + "; see " + store.runDir(job.id).resolve("job.log"));
            }
        }
    }

    private JobStore.Exported exported(String model, int version) {
        try {
            Bundle b = new ModelRegistry(Path.of(registryDir)).load(model, Integer.toString(version));
            Map<String, Double> metrics = new LinkedHashMap<>();
            b.manifest().metrics().forEach((k, v) -> {
                if (v instanceof Number n) {
                    metrics.put(k, n.doubleValue());
                }
            });
            return new JobStore.Exported(model, version, b.manifest().family(), List.copyOf(b.manifest().components().keySet()),
                    metrics, b.manifest().createdAt());
        } catch (RuntimeException e) {
            LOG.warnf("job bundle %s/%d unreadable after export: %s", model, version, e.getMessage());
            return new JobStore.Exported(model, version, null, List.of(), Map.of(), null);
        }
    }

    /** A progress event of the job's process; job-level phase events move the job's state. */
    private void onProgress(JobRecord job, ProgressEvent e) {
        synchronized (job) {
            if (e.component().equals("job")) {
                switch (e.phase()) {
                    case TrainingRun.PREPARE -> update(job, State.PREPARING, e.message());
                    case TrainingRun.EXPORT -> update(job, State.EXPORTING, e.message());
                    case TrainingRun.REGISTER -> job.message = e.message();
                    default -> {
                    }
                }
            } else if (job.state == State.PREPARING) {
                update(job, State.RUNNING, "training");
            }
            if (job.cancelRequested && !job.registering) {
                job.message = "cancelling";
            }
            job.add(new Stamped(e, job.state));
        }
        job.notifyListeners();
    }

    private void update(JobRecord job, State state, String message) {
        job.state = state;
        job.message = message;
        persist(job);
        job.notifyListeners();
    }

    private void finish(JobRecord job, State state, String message) {
        job.finishedAt = Instant.now();
        job.message = message;
        job.state = state;
        persist(job);
        LOG.infof("job %s %s: %s", job.id, state, CallerInput.forLog(message));
        job.notifyListeners();
    }

    private void persist(JobRecord job) {
        try {
            store.write(job.file());
        } catch (RuntimeException e) {
            LOG.warnf("could not persist job %s: %s", job.id, e.getMessage());
        }
    }

    public Optional<JobRecord> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** All jobs, newest first. */
    public List<JobRecord> all() {
        return jobs.values().stream().sorted(Comparator.comparing((JobRecord j) -> j.createdAt).reversed()).toList();
    }

    /**
     * Requests cancellation: a queued job is cancelled at once; a running job's process is killed, whatever its
     * phase; a job already registering its bundle is past cancelling (its message says so).
     */
    public Optional<JobRecord> cancel(String id) {
        JobRecord job = jobs.get(id);
        if (job == null) {
            return Optional.empty();
        }
        synchronized (job) {
            if (job.terminal()) {
                return Optional.of(job);
            }
            if (job.registering) {
                job.message = "registering the bundle: too late to cancel";
                job.notifyListeners();
                return Optional.of(job);
            }
            job.cancelRequested = true;
            if (job.state == State.QUEUED) {
                finish(job, State.CANCELLED, "cancelled before start");
            } else {
                job.message = "cancelling";
                if (job.process != null) {
                    job.process.destroyForcibly();
                }
                job.notifyListeners();
            }
        }
        return Optional.of(job);
    }

    private void pruneQuietly() {
        try {
            prune(Instant.now());
        } catch (RuntimeException e) {
            LOG.warnf("pruning finished jobs failed: %s", e.getMessage());
        }
    }

    /** Forgets finished jobs older than the retention, and the oldest finished ones beyond max-retained. */
    synchronized int prune(Instant now) {
        List<JobRecord> finished = jobs.values().stream().filter(JobRecord::terminal)
                .sorted(Comparator.comparing((JobRecord j) -> j.finishedAt)).toList();
        int excess = Math.max(0, finished.size() - maxRetained);
        int pruned = 0;
        for (JobRecord j : finished) {
            if (pruned < excess || j.finishedAt.isBefore(now.minus(retention))) {
                jobs.remove(j.id);
                store.delete(j.id);
                pruned++;
            }
        }
        if (pruned > 0) {
            LOG.infof("pruned %d finished job(s) (retention %s, at most %d kept)", pruned, retention, maxRetained);
        }
        return pruned;
    }

    Collection<JobRecord> records() {
        return jobs.values();
    }

    @PreDestroy
    void shutdown() {
        pruner.shutdownNow();
        for (JobRecord j : jobs.values()) {
            synchronized (j) {
                if (j.process != null) {
                    j.process.destroyForcibly();
                }
            }
        }
        executor.shutdownNow();
    }
}
