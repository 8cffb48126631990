package io.crossmodal.trainer.api;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.proto.trainer.v1.GetModelHistoryRequest;
import io.crossmodal.proto.trainer.v1.ModelHistory;
import io.crossmodal.proto.trainer.v1.PromoteRequest;
import io.crossmodal.proto.trainer.v1.PromoteResponse;
import io.crossmodal.proto.trainer.v1.RollbackRequest;
import io.crossmodal.proto.trainer.v1.RollbackResponse;
import io.crossmodal.trainer.lifecycle.Promoter;
import io.smallrye.common.annotation.Blocking;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.proto.common.v1.ModelVersion;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.crossmodal.proto.trainer.v1.ListJobsResponse;
import io.crossmodal.proto.trainer.v1.ListModelsRequest;
import io.crossmodal.proto.trainer.v1.ListModelsResponse;
import io.crossmodal.proto.trainer.v1.ListVersionsRequest;
import io.crossmodal.proto.trainer.v1.ListVersionsResponse;
import io.crossmodal.proto.trainer.v1.ModelSummary;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * gRPC Trainer API over the same job code as the CLI. Every caller string is bounded here ({@link CallerInput}),
 * every numeric job field against {@link JobLimits}, lexicon paths against the data directories
 * ({@link LexiconPaths}); caller text reaches logs only through {@link CallerInput#forLog}.
 */
@GrpcService
public class TrainerGrpcService extends TrainerGrpc.TrainerImplBase {
    private static final Logger LOG = Logger.getLogger(TrainerGrpcService.class);
    /** Largest GetModelHistory response we build; a default client accepts 4 MiB. */
    static final int MAX_HISTORY_BYTES = 3 * 1024 * 1024;

    @Inject
    JobManager jobs;

    @Inject
    JobLimits limits;

    @ConfigProperty(name = "crossmodal.registry.dir")
    String registryDir;

    @ConfigProperty(name = "crossmodal.trainer.data-dirs")
    Optional<List<String>> dataDirs;

    @ConfigProperty(name = "crossmodal.trainer.jobs.retention", defaultValue = "7d")
    java.time.Duration retention;

    private LexiconPaths lexicons;
    private IdempotencyStore idempotency;

    @PostConstruct
    void init() {
        lexicons = new LexiconPaths(dataDirs.orElse(List.of()), limits.lexiconMaxBytes());
        idempotency = new IdempotencyStore(jobs.runsDir().resolve(".idempotency"), retention);
        idempotency.prune(java.time.Instant.now());
        LOG.infof("lexicon paths accepted from %s", lexicons.dirs().isEmpty() ? "nowhere (crossmodal.trainer.data-dirs unset:"
                + " CMUdict only)" : lexicons.dirs().toString());
    }

    @Override
    @Blocking
    public void startJob(JobConfig request, StreamObserver<Job> out) {
        unary(out, () -> {
            io.crossmodal.trainer.config.JobConfig cfg;
            try {
                cfg = ProtoMapping.toConfig(request, limits, lexicons);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid job config: " + e.getMessage(), e);
            }
            String fingerprint = IdempotencyStore.fingerprint(request.toBuilder().clearRequestId().clearIdempotencyKey().build());
            String resumeFrom = request.getResumeFromJobId().isEmpty() ? "" : CallerInput.jobId(request.getResumeFromJobId());
            JobRecord job = jobs.submit(cfg, request.getRequestId(), request.getIdempotencyKey(), fingerprint, resumeFrom);
            return toJob(job);
        });
    }

    @Override
    @Blocking
    public void getJob(JobRef request, StreamObserver<Job> out) {
        unary(out, () -> toJob(job(request)));
    }

    @Override
    @Blocking
    public void cancelJob(JobRef request, StreamObserver<Job> out) {
        unary(out, () -> {
            JobRecord j = job(request);
            jobs.cancel(j.id);
            LOG.infof("cancel job %s requested (request %s)", j.id, CallerInput.forLog(request.getRequestId()));
            return toJob(j);
        });
    }

    @Override
    @Blocking
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            ListJobsResponse.Builder b = ListJobsResponse.newBuilder().setRequestId(request.getRequestId());
            jobs.all().stream()
                    .filter(j -> request.getStatesCount() == 0 || request.getStatesList().contains(ProtoMapping.state(j.state())))
                    .forEach(j -> b.addJobs(toJob(j)));
            return b.build();
        });
    }

    private Job toJob(JobRecord j) {
        return ProtoMapping.toJob(j, jobs.runsDir().resolve(j.id).toString());
    }

    /** Replays the job's progress so far, then follows it until the job ends or the client leaves. */
    @Override
    public void streamProgress(JobRef request, StreamObserver<ProgressEvent> out) {
        withJob(request, out, j -> {
            ServerCallStreamObserver<ProgressEvent> call = (ServerCallStreamObserver<ProgressEvent>) out;
            if (j.terminal()) {
                // the contract: a finished job's stream is one event with its final state
                call.onNext(finalEvent(j));
                call.onCompleted();
                return;
            }
            int[] sent = {0};
            Object lock = new Object();
            Consumer<JobRecord> push = job -> {
                synchronized (lock) {
                    if (call.isCancelled() || sent[0] < 0) {
                        return;
                    }
                    List<JobRecord.Stamped> events = job.events();
                    for (int i = sent[0]; i < events.size(); i++) {
                        call.onNext(ProtoMapping.toEvent(job, events.get(i)));
                    }
                    sent[0] = events.size();
                    if (job.terminal()) {
                        call.onNext(finalEvent(job));
                        call.onCompleted();
                        sent[0] = -1;
                    }
                }
            };
            call.setOnCancelHandler(() -> j.listeners.remove(push));
            j.listeners.add(push);
            push.accept(j);
            if (sent[0] < 0) {
                j.listeners.remove(push);
            }
        });
    }

    private static ProgressEvent finalEvent(JobRecord job) {
        return ProgressEvent.newBuilder().setJobId(job.id).setState(ProtoMapping.state(job.state()))
                .setComponent("job").setPhase("done").setMessage(CallerInput.cut(job.message(), 2000)).build();
    }

    @Override
    @Blocking
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            ModelRegistry registry = new ModelRegistry(Path.of(registryDir));
            ListModelsResponse.Builder b = ListModelsResponse.newBuilder().setRequestId(request.getRequestId());
            for (String model : registry.listModels()) {
                List<Integer> versions = registry.listVersions(model);
                ModelSummary.Builder m = ModelSummary.newBuilder().setName(model).setVersionCount(versions.size());
                if (!versions.isEmpty()) {
                    m.setLatestVersion(Integer.toString(versions.get(versions.size() - 1)));
                }
                registry.aliases(model).forEach((alias, v) -> m.putAliases(alias, Integer.toString(v)));
                b.addModels(m);
            }
            return b.build();
        });
    }

    @Override
    @Blocking
    public void listVersions(ListVersionsRequest request, StreamObserver<ListVersionsResponse> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            String model = CallerInput.modelName("model_name", request.getModelName());
            ModelRegistry registry = new ModelRegistry(Path.of(registryDir));
            if (!registry.listModels().contains(model)) {
                throw new ModelNotFoundException("no model named '" + model + "' in the registry");
            }
            Map<String, Integer> aliases = registry.aliases(model);
            ListVersionsResponse.Builder b = ListVersionsResponse.newBuilder().setRequestId(request.getRequestId());
            for (int v : registry.listVersions(model)) {
                ModelVersion.Builder mv = ModelVersion.newBuilder().setName(model).setVersion(Integer.toString(v));
                aliases.forEach((a, av) -> {
                    if (av == v) {
                        mv.addAliases(a);
                    }
                });
                try {
                    Bundle bundle = registry.load(model, Integer.toString(v));
                    mv.setFamily(bundle.manifest().family()).addAllComponents(bundle.manifest().components().keySet());
                    ProtoMapping.createdAt(bundle.manifest().createdAt()).ifPresent(mv::setCreatedAt);
                    bundle.manifest().metrics().forEach((k, val) -> {
                        if (val instanceof Number n) {
                            mv.putMetrics(k, n.doubleValue());
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warnf("version %s/%d unreadable: %s", model, v, CallerInput.forLog(e.getMessage()));
                }
                b.addVersions(mv);
            }
            return b.build();
        });
    }

    /** Gated promotion; runs the evaluation on a worker thread (it takes seconds to minutes). */
    @Override
    @Blocking
    public void promote(PromoteRequest request, StreamObserver<PromoteResponse> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            String key = CallerInput.id("idempotency_key", request.getIdempotencyKey(), CallerInput.MAX_ID);
            String model = CallerInput.modelName("model_name", request.getModelName());
            String actor = actor(CallerInput.id("actor", request.getActor(), CallerInput.MAX_ID));
            CallerInput.id("candidate", request.getCandidate(), CallerInput.MAX_CANDIDATE);
            if (request.getGateJson().length() > CallerInput.MAX_GATE_JSON) {
                throw new IllegalArgumentException("gate_json is longer than " + CallerInput.MAX_GATE_JSON + " characters");
            }
            if (request.getGateJson().isBlank()) {
                throw new IllegalArgumentException("gate_json is required");
            }
            String fingerprint = IdempotencyStore.fingerprint(request.toBuilder().clearRequestId().clearIdempotencyKey().build());
            PromoteResponse r = idempotency.call("promote", key, fingerprint, PromoteResponse.parser(), () -> {
                GateConfig gate = GateConfig.parse(request.getGateJson(), "gate_json");
                String candidate = request.getCandidate().isBlank() ? ModelLifecycle.CANDIDATE : request.getCandidate();
                DecisionRecord d = Promoter.promote(Path.of(registryDir), model, candidate, gate, "trainer-api", actor);
                LOG.infof("promote %s/%s: %s", model, CallerInput.forLog(candidate), CallerInput.forLog(d.summary()));
                return PromoteResponse.newBuilder().setPromoted(d.decision().equals(DecisionRecord.PROMOTED))
                        .setDecision(LifecycleMapping.decision(d)).build();
            });
            return r.toBuilder().setRequestId(request.getRequestId()).build();
        });
    }

    @Override
    @Blocking
    public void rollback(RollbackRequest request, StreamObserver<RollbackResponse> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            String key = CallerInput.id("idempotency_key", request.getIdempotencyKey(), CallerInput.MAX_ID);
            String model = CallerInput.modelName("model_name", request.getModelName());
            String actor = actor(CallerInput.id("actor", request.getActor(), CallerInput.MAX_ID));
            String reason = CallerInput.text("reason", request.getReason(), CallerInput.MAX_REASON);
            String fingerprint = IdempotencyStore.fingerprint(request.toBuilder().clearRequestId().clearIdempotencyKey().build());
            RollbackResponse r = idempotency.call("rollback", key, fingerprint, RollbackResponse.parser(), () -> {
                DecisionRecord d = new ModelLifecycle(Path.of(registryDir)).rollback(model, actor,
                        reason.isBlank() ? null : reason);
                LOG.infof("rollback %s: %s", model, CallerInput.forLog(d.summary()));
                return RollbackResponse.newBuilder().setDecision(LifecycleMapping.decision(d)).build();
            });
            return r.toBuilder().setRequestId(request.getRequestId()).build();
        });
    }

    @Override
    @Blocking
    public void getModelHistory(GetModelHistoryRequest request, StreamObserver<ModelHistory> out) {
        unary(out, () -> {
            CallerInput.id("request_id", request.getRequestId(), CallerInput.MAX_ID);
            String model = CallerInput.modelName("model_name", request.getModelName());
            ModelLifecycle lc = new ModelLifecycle(Path.of(registryDir));
            ModelHistory.Builder b = ModelHistory.newBuilder().setRequestId(request.getRequestId()).setModelName(model);
            for (int v : lc.registry().listVersions(model)) {
                try {
                    b.addVersions(LifecycleMapping.lineage(lc.lineage(model, v)));
                } catch (RuntimeException e) {
                    LOG.warnf("version %s/%d unreadable: %s", model, v, CallerInput.forLog(e.getMessage()));
                    b.addVersions(io.crossmodal.proto.trainer.v1.VersionLineage.newBuilder().setVersion(Integer.toString(v)));
                }
            }
            lc.registry().aliases(model).forEach((a, v) -> b.putAliases(a, Integer.toString(v)));
            lc.aliasHistory(model).forEach(c -> b.addAliasHistory(LifecycleMapping.aliasChange(c)));
            lc.decisions(model).forEach(d -> b.addDecisions(LifecycleMapping.decision(d)));
            return LifecycleMapping.fit(b, MAX_HISTORY_BYTES);
        });
    }

    private static String actor(String given) {
        return given == null || given.isBlank() ? "trainer-api" : "trainer-api:" + given.trim();
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    /** The status a failure maps to; descriptions never carry unbounded caller input. */
    static Status status(Exception e) {
        if (e instanceof StatusRuntimeException s) {
            return s.getStatus();
        }
        if (e instanceof ModelNotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (e instanceof JobManager.QueueFullException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof IllegalStateException || e instanceof BundleCorruptException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        }
        return Status.INTERNAL.withDescription(e.getClass().getSimpleName());
    }

    /** Runs a unary call and maps its failures to gRPC statuses. */
    private static <T> void unary(StreamObserver<T> out, Call<T> call) {
        T result;
        try {
            result = call.call();
        } catch (Exception e) {
            Status s = status(e);
            if (s.getCode() == Status.Code.INTERNAL) {
                LOG.errorf(e, "trainer call failed");
            }
            out.onError(s.asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    private JobRecord job(JobRef ref) {
        CallerInput.id("request_id", ref.getRequestId(), CallerInput.MAX_ID);
        String id = CallerInput.jobId(ref.getJobId());
        return jobs.get(id).orElseThrow(() -> new ModelNotFoundException("no job with id '" + id + "'"));
    }

    private <T> void withJob(JobRef ref, StreamObserver<T> out, Consumer<JobRecord> action) {
        JobRecord j;
        try {
            j = job(ref);
        } catch (Exception e) {
            out.onError(status(e).asRuntimeException());
            return;
        }
        action.accept(j);
    }
}
