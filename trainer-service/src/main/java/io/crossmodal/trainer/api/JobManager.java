package io.crossmodal.trainer.api;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.TrainingRun;
import io.crossmodal.trainer.progress.ProgressEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

    /** The job queue is full. */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(String message) {
            super(message);
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
                f.resumeFrom(), Instant.parse(f.createdAt()));
        j.startedAt = f.startedAt() == null ? null : Instant.parse(f.startedAt());
        j.finishedAt = f.finishedAt() == null ? null : Instant.parse(f.finishedAt());
        j.state = JobRecord.State.valueOf(f.state());
        j.message = f.message() == null ? "" : f.message();
        j.exported = f.exported();
        if (!j.terminal()) {
            JobRecord.State was = j.state;
            j.state = JobRecord.State.FAILED;
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
    public synchronized JobRecord submit(JobConfig config, String requestId, String idempotencyKey, String fingerprint,
            String resumeFrom) {
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
        if (!resumeFrom.isEmpty()) {
            checkResumable(config, resumeFrom);
        }
        long unfinished = jobs.values().stream().filter(j -> !j.terminal()).count();
        if (unfinished >= maxQueued) {
            throw new QueueFullException("the trainer has " + unfinished + " unfinished jobs, its limit"
                    + " (crossmodal.trainer.jobs.max-queued); retry when one has finished");
        }
        String id = UUID.randomUUID().toString();
        JobConfig placed = config.withPlacement(store.runDir(id).toString(), registryDir);
        JobRecord job = new JobRecord(id, requestId, idempotencyKey.isEmpty() ? null : idempotencyKey, fingerprint, placed,
                resumeFrom.isEmpty() ? null : resumeFrom, Instant.now());
        persist(job);
        jobs.put(job.id, job);
        executor.submit(() -> run(job));
        LOG.infof("job %s queued (model %s, request %s)", job.id, config.name(), CallerInput.forLog(requestId));
        return job;
    }

    /** The earlier job must be finished and have trained the same model on the same data, or its checkpoints do not fit. */
    private void checkResumable(JobConfig config, String resumeFrom) {
        JobRecord earlier = jobs.get(resumeFrom);
        if (earlier == null) {
            throw new io.crossmodal.runtime.bundle.ModelNotFoundException("resume_from_job_id: no job with id '" + resumeFrom + "'");
        }
        if (!earlier.terminal()) {
            throw new IllegalArgumentException("resume_from_job_id: job " + resumeFrom + " has not finished");
        }
        JobConfig c = earlier.config;
        if (!c.model().equals(config.model()) || !c.data().equals(config.data()) || !c.split().equals(config.split())
                || !c.components().equals(config.components()) || !c.seed().equals(config.seed())
                || !java.util.Objects.equals(c.semi(), config.semi()) || !c.family().equals(config.family())
                || !java.util.Objects.equals(c.pvae(), config.pvae())
                || !java.util.Objects.equals(c.vqvae(), config.vqvae())) {
            throw new IllegalArgumentException("resume_from_job_id: job " + resumeFrom + " trained another model, data,"
                    + " split, components or seed; its checkpoints do not fit this job");
        }
        if (!Files.isDirectory(store.runDir(resumeFrom).resolve("checkpoints"))) {
            throw new IllegalArgumentException("resume_from_job_id: job " + resumeFrom + " left no checkpoints");
        }
    }

    /** Copies the checkpoints of the job this one resumes into its own run directory. */
    private void copyCheckpoints(String from, Path dir) throws IOException {
        Path source = store.runDir(from).resolve("checkpoints");
        Path target = dir.resolve("checkpoints");
        try (java.util.stream.Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path to = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void run(JobRecord job) {
        try {
            runInProcess(job);
        } catch (Throwable e) {
            // the worker thread must survive anything a job does
            LOG.errorf(e, "job %s failed in the trainer", job.id);
            synchronized (job) {
                if (!job.terminal()) {
                    finish(job, JobRecord.State.FAILED, "the trainer could not run the job: " + e.getClass().getSimpleName());
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
            update(job, JobRecord.State.PREPARING, "starting the job's process");
            Path dir = store.runDir(job.id);
            Files.createDirectories(dir);
            if (job.resumeFrom != null) {
                copyCheckpoints(job.resumeFrom, dir);
            }
            Path configFile = dir.resolve("job-config.json");
            Files.writeString(configFile, job.config.toJson());
            String actor = "trainer-api" + (job.requestId == null || job.requestId.isBlank() ? ""
                    : ":request-" + job.requestId);
            p = JobProcess.start(JobProcess.command(childClasspath, maxHeap, configFile, actor), dir.resolve("job.log"),
                    job.config.train().threads());
            job.process = p;
        }
        JobProcess.Report report = JobProcess.follow(p, new JobProcess.Listener() {
            @Override
            public void progress(ProgressEvent e) {
                onProgress(job, e);
            }

            @Override
            public boolean mayRegister() {
                synchronized (job) {
                    job.registering = !job.cancelRequested;
                    return job.registering;
                }
            }
        });
        int rc = p.waitFor();
        boolean succeeded = report.succeeded() && rc == 0;
        JobStore.Exported exported = succeeded && report.model() != null ? exported(report.model(), report.version()) : null;
        synchronized (job) {
            job.process = null;
            if (succeeded) {
                job.exported = exported;
                finish(job, JobRecord.State.SUCCEEDED, (report.model() == null ? "trained (not exported)"
                        : "exported " + report.model() + "/" + report.version()) + "; trained with " + report.threads()
                        + " thread" + (report.threads() == 1 ? "" : "s"));
            } else if (job.cancelRequested) {
                finish(job, JobRecord.State.CANCELLED, "cancelled while " + job.state.name().toLowerCase(java.util.Locale.ROOT));
            } else if (report.failure() != null) {
                finish(job, JobRecord.State.FAILED, report.failure());
            } else {
                finish(job, JobRecord.State.FAILED, "the job's process ended with exit code " + rc + (rc == 3
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
                    case TrainingRun.PREPARE -> update(job, JobRecord.State.PREPARING, e.message());
                    case TrainingRun.EXPORT -> update(job, JobRecord.State.EXPORTING, e.message());
                    case TrainingRun.REGISTER -> job.message = e.message();
                    default -> {
                    }
                }
            } else if (job.state == JobRecord.State.PREPARING) {
                update(job, JobRecord.State.RUNNING, "training");
            }
            if (job.cancelRequested && !job.registering) {
                job.message = "cancelling";
            }
            job.add(new JobRecord.Stamped(e, job.state));
        }
        job.notifyListeners();
    }

    private void update(JobRecord job, JobRecord.State state, String message) {
        job.state = state;
        job.message = message;
        persist(job);
        job.notifyListeners();
    }

    private void finish(JobRecord job, JobRecord.State state, String message) {
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
            if (job.state == JobRecord.State.QUEUED) {
                finish(job, JobRecord.State.CANCELLED, "cancelled before start");
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
