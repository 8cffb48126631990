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
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** gRPC Trainer API over the same job code as the CLI. */
@GrpcService
public class TrainerGrpcService extends TrainerGrpc.TrainerImplBase {
    private static final Logger LOG = Logger.getLogger(TrainerGrpcService.class);

    @Inject
    JobManager jobs;

    @ConfigProperty(name = "crossmodal.registry.dir")
    String registryDir;

    @ConfigProperty(name = "crossmodal.trainer.runs-dir", defaultValue = "runs")
    String runsDir;

    private final Map<String, JobConfig> configs = new ConcurrentHashMap<>();

    @Override
    public void startJob(JobConfig request, StreamObserver<Job> out) {
        io.crossmodal.trainer.config.JobConfig cfg;
        try {
            cfg = ProtoMapping.toConfig(request, registryDir, runsDir);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("invalid job config: " + e.getMessage()).asRuntimeException());
            return;
        }
        if (!cfg.data().source().equals("cmudict") && !java.nio.file.Files.isRegularFile(Path.of(cfg.data().source()))) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("lexicon_path " + cfg.data().source()
                    + " is not a readable file on the trainer").asRuntimeException());
            return;
        }
        JobManager.JobRecord job = jobs.submit(cfg, request.getRequestId());
        configs.put(job.id, request);
        out.onNext(ProtoMapping.toJob(job, request));
        out.onCompleted();
    }

    @Override
    public void getJob(JobRef request, StreamObserver<Job> out) {
        withJob(request, out, j -> {
            out.onNext(ProtoMapping.toJob(j, configs.get(j.id)));
            out.onCompleted();
        });
    }

    @Override
    public void cancelJob(JobRef request, StreamObserver<Job> out) {
        withJob(request, out, j -> {
            jobs.cancel(j.id);
            out.onNext(ProtoMapping.toJob(j, configs.get(j.id)));
            out.onCompleted();
        });
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
        ListJobsResponse.Builder b = ListJobsResponse.newBuilder().setRequestId(request.getRequestId());
        jobs.all().stream()
                .sorted(Comparator.comparing(j -> j.createdAt))
                .filter(j -> request.getStatesCount() == 0 || request.getStatesList().contains(ProtoMapping.state(j.state())))
                .forEach(j -> b.addJobs(ProtoMapping.toJob(j, configs.get(j.id))));
        out.onNext(b.build());
        out.onCompleted();
    }

    /** Replays the job's progress so far, then follows it until the job ends or the client leaves. */
    @Override
    public void streamProgress(JobRef request, StreamObserver<ProgressEvent> out) {
        withJob(request, out, j -> {
            ServerCallStreamObserver<ProgressEvent> call = (ServerCallStreamObserver<ProgressEvent>) out;
            int[] sent = {0};
            Object lock = new Object();
            Consumer<JobManager.JobRecord> push = job -> {
                synchronized (lock) {
                    if (call.isCancelled() || sent[0] < 0) {
                        return;
                    }
                    List<io.crossmodal.trainer.progress.ProgressEvent> events = job.events();
                    for (int i = sent[0]; i < events.size(); i++) {
                        call.onNext(ProtoMapping.toEvent(job, events.get(i)));
                    }
                    sent[0] = events.size();
                    if (job.terminal()) {
                        call.onNext(ProgressEvent.newBuilder().setJobId(job.id).setState(ProtoMapping.state(job.state()))
                                .setComponent("job").setPhase("done").setMessage(job.message()).build());
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

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
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
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void listVersions(ListVersionsRequest request, StreamObserver<ListVersionsResponse> out) {
        ModelRegistry registry = new ModelRegistry(Path.of(registryDir));
        try {
            if (!registry.listModels().contains(request.getModelName())) {
                throw new ModelNotFoundException("no model named '" + request.getModelName() + "' in the registry");
            }
            Map<String, Integer> aliases = registry.aliases(request.getModelName());
            ListVersionsResponse.Builder b = ListVersionsResponse.newBuilder().setRequestId(request.getRequestId());
            for (int v : registry.listVersions(request.getModelName())) {
                ModelVersion.Builder mv = ModelVersion.newBuilder().setName(request.getModelName()).setVersion(Integer.toString(v));
                aliases.forEach((a, av) -> {
                    if (av == v) {
                        mv.addAliases(a);
                    }
                });
                try {
                    Bundle bundle = registry.load(request.getModelName(), Integer.toString(v));
                    mv.setFamily(bundle.manifest().family()).addAllComponents(bundle.manifest().components().keySet());
                    bundle.manifest().metrics().forEach((k, val) -> {
                        if (val instanceof Number n) {
                            mv.putMetrics(k, n.doubleValue());
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warnf("version %s/%d unreadable: %s", request.getModelName(), v, e.getMessage());
                }
                b.addVersions(mv);
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ModelNotFoundException e) {
            out.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    /** Gated promotion; runs the evaluation on a worker thread (it takes seconds to minutes). */
    @Override
    @Blocking
    public void promote(PromoteRequest request, StreamObserver<PromoteResponse> out) {
        lifecycleCall(out, () -> {
            if (request.getModelName().isBlank()) {
                throw new IllegalArgumentException("model_name is required");
            }
            if (request.getGateJson().isBlank()) {
                throw new IllegalArgumentException("gate_json is required");
            }
            GateConfig gate = GateConfig.parse(request.getGateJson(), "gate_json");
            String candidate = request.getCandidate().isBlank() ? ModelLifecycle.CANDIDATE : request.getCandidate();
            DecisionRecord d = Promoter.promote(Path.of(registryDir), request.getModelName(), candidate, gate, "trainer-api",
                    actor(request.getActor()));
            LOG.infof("promote %s/%s: %s", request.getModelName(), candidate, d.summary());
            return PromoteResponse.newBuilder().setRequestId(request.getRequestId())
                    .setPromoted(d.decision().equals(DecisionRecord.PROMOTED))
                    .setDecision(LifecycleMapping.decision(d)).build();
        });
    }

    @Override
    @Blocking
    public void rollback(RollbackRequest request, StreamObserver<RollbackResponse> out) {
        lifecycleCall(out, () -> {
            DecisionRecord d = new ModelLifecycle(Path.of(registryDir)).rollback(request.getModelName(),
                    actor(request.getActor()), request.getReason().isBlank() ? null : request.getReason());
            LOG.infof("rollback %s: %s", request.getModelName(), d.summary());
            return RollbackResponse.newBuilder().setRequestId(request.getRequestId())
                    .setDecision(LifecycleMapping.decision(d)).build();
        });
    }

    @Override
    @Blocking
    public void getModelHistory(GetModelHistoryRequest request, StreamObserver<ModelHistory> out) {
        lifecycleCall(out, () -> {
            ModelLifecycle lc = new ModelLifecycle(Path.of(registryDir));
            String model = request.getModelName();
            ModelHistory.Builder b = ModelHistory.newBuilder().setRequestId(request.getRequestId()).setModelName(model);
            for (int v : lc.registry().listVersions(model)) {
                try {
                    b.addVersions(LifecycleMapping.lineage(lc.lineage(model, v)));
                } catch (RuntimeException e) {
                    LOG.warnf("version %s/%d unreadable: %s", model, v, e.getMessage());
                    b.addVersions(io.crossmodal.proto.trainer.v1.VersionLineage.newBuilder().setVersion(Integer.toString(v)));
                }
            }
            lc.registry().aliases(model).forEach((a, v) -> b.putAliases(a, Integer.toString(v)));
            lc.aliasHistory(model).forEach(c -> b.addAliasHistory(LifecycleMapping.aliasChange(c)));
            lc.decisions(model).forEach(d -> b.addDecisions(LifecycleMapping.decision(d)));
            return b.build();
        });
    }

    private static String actor(String given) {
        return given == null || given.isBlank() ? "trainer-api" : "trainer-api:" + given.trim();
    }

    @FunctionalInterface
    private interface LifecycleCall<T> {
        T call() throws Exception;
    }

    /** Runs a lifecycle call and maps its failures to gRPC statuses. */
    private static <T> void lifecycleCall(StreamObserver<T> out, LifecycleCall<T> call) {
        T result;
        try {
            result = call.call();
        } catch (ModelNotFoundException e) {
            out.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalStateException | BundleCorruptException e) {
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (Exception e) {
            LOG.errorf(e, "lifecycle call failed");
            out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    private <T> void withJob(JobRef ref, StreamObserver<T> out, Consumer<JobManager.JobRecord> action) {
        if (ref.getJobId().isBlank()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("job_id is required").asRuntimeException());
            return;
        }
        jobs.get(ref.getJobId()).ifPresentOrElse(action,
                () -> out.onError(Status.NOT_FOUND.withDescription("no job with id '" + ref.getJobId() + "'").asRuntimeException()));
    }
}
