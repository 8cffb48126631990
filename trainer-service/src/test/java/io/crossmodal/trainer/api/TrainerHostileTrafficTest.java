package io.crossmodal.trainer.api;

import static io.crossmodal.serving.common.testing.HostileTraffic.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.GetModelHistoryRequest;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.crossmodal.proto.trainer.v1.ListModelsRequest;
import io.crossmodal.proto.trainer.v1.ListVersionsRequest;
import io.crossmodal.proto.trainer.v1.ProgressEvent;
import io.crossmodal.proto.trainer.v1.PromoteRequest;
import io.crossmodal.proto.trainer.v1.RollbackRequest;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.HostileTraffic;
import io.crossmodal.serving.common.testing.HostileTraffic.Case;
import io.crossmodal.serving.common.testing.HostileTraffic.Proto;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Hostile traffic against the Trainer API in the style of the inference services' (serving-common's
 * {@link HostileTraffic}): 10,000 seeded requests to every method, bounded in count and time, covering the
 * inputs of issue 13 (numbers beyond every limit, jobs too big for memory, lexicon paths outside the data
 * directories, unbounded and control-character caller strings, garbage bytes, unknown ids and models, and a
 * StartJob retried with one idempotency key from many threads at once). No request may get INTERNAL or UNKNOWN
 * or any code its case does not allow; afterwards the service is healthy, the retried job exists exactly once
 * and trained, and a new real job still trains.
 */
@QuarkusTest
class TrainerHostileTrafficTest {
    private static final int REQUESTS = 10_000;
    private static final long SEED = 13;

    @TestHTTPResource("/")
    URL base;

    private static final Set<Status.Code> INVALID = codes(Status.Code.INVALID_ARGUMENT);
    private static final Set<Status.Code> INVALID_OR_NOT_FOUND = codes(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
    private static final Set<Status.Code> OK = codes(Status.Code.OK);

    private final List<MethodDescriptor<byte[], byte[]>> rawMethods = List.of(TrainerGrpc.getStartJobMethod(),
            TrainerGrpc.getGetJobMethod(), TrainerGrpc.getListJobsMethod(), TrainerGrpc.getCancelJobMethod(),
            TrainerGrpc.getListModelsMethod(), TrainerGrpc.getListVersionsMethod(), TrainerGrpc.getPromoteMethod(),
            TrainerGrpc.getRollbackMethod(), TrainerGrpc.getGetModelHistoryMethod()).stream()
            .<MethodDescriptor<byte[], byte[]>>map(HostileTraffic::rawMethod).toList();

    private static TrainerGrpc.TrainerBlockingStub stub(Channel channel, CallOptions options) {
        return TrainerGrpc.newBlockingStub(channel).withDeadline(options.getDeadline());
    }

    /** A caller string that breaks a bound: too long, or with a control character. */
    private static String badId(Random r) {
        return r.nextBoolean() ? "x".repeat(129 + r.nextInt(r.nextBoolean() ? 100 : 300_000))
                : "id" + (char) r.nextInt(32) + HostileTraffic.randomString(r, 10);
    }

    /** One definite fault applied to an otherwise valid tiny job config. */
    private Case startJobFault(Random r, JobConfig valid) {
        JobConfig.Builder b = valid.toBuilder().clearIdempotencyKey();
        Hyperparameters.Builder h = b.getHyperparametersBuilder();
        List<UnaryOperator<Hyperparameters.Builder>> overLimit = List.of(
                x -> x.setEmbeddingSize(1025 + r.nextInt(Integer.MAX_VALUE - 1025)),
                x -> x.setEncoderHiddenSize(2049 + r.nextInt(1 << 30)), x -> x.setDecoderHiddenSize(2049 + r.nextInt(1 << 30)),
                x -> x.setPriorHiddenSize(2049 + r.nextInt(1 << 30)), x -> x.setPriorEmbeddingSize(1025 + r.nextInt(1 << 30)),
                x -> x.setMaxOutputLength(201 + r.nextInt(1 << 30)), x -> x.setBatchSize(4097 + r.nextInt(1 << 30)),
                x -> x.setEpochs(1001 + r.nextInt(1 << 30)), x -> x.setMaxSteps(10_000_001L + (r.nextLong() >>> 2)),
                x -> x.setPatience(1001 + r.nextInt(1 << 30)), x -> x.setThreads(17 + r.nextInt(1 << 20)),
                x -> x.setDevWords(100_001 + r.nextInt(1 << 30)), x -> x.setBeamWidth(65 + r.nextInt(1 << 30)),
                x -> x.setEmbeddingSize(-1 - r.nextInt(1 << 30)), x -> x.setLearningRate(r.nextBoolean() ? Double.NaN : 5),
                x -> x.setClipNorm(Double.NEGATIVE_INFINITY),
                // every size within its limit, the memory estimate far beyond the budget
                x -> x.setEmbeddingSize(1024).setEncoderHiddenSize(2048).setDecoderHiddenSize(2048).setBatchSize(4096)
                        .setMaxOutputLength(200));
        String[] paths = {"/etc/passwd", "/etc/shadow", "/proc/self/environ", "/etc", "/", "../../etc/passwd",
            "relative.txt", "", "/tmp/" + UUID.randomUUID(), "/" + "a".repeat(5000), "/tmp/\u0000x",
            TrainerGrpcServiceTest.dataDirPath() + "/../../../../etc/passwd", TrainerGrpcServiceTest.dataDirPath() + "/missing"};
        switch (r.nextInt(9)) {
            case 0, 1, 2 -> overLimit.get(r.nextInt(overLimit.size())).apply(h);
            case 3 -> b.setData(DataConfig.newBuilder().setLexiconPath(paths[r.nextInt(paths.length)]));
            case 4 -> b.setRequestId(badId(r));
            case 5 -> b.setIdempotencyKey(badId(r));
            case 6 -> b.setModelName(r.nextBoolean() ? "" : "Bad/" + HostileTraffic.randomString(r, 20));
            case 7 -> b.addComponents(Component.COMPONENT_UNSPECIFIED);
            default -> b.setSplit(SplitConfig.newBuilder().setTest(r.nextBoolean() ? Integer.MAX_VALUE : -5));
        }
        JobConfig request = b.build();
        return new Case("start-job", abbreviated(request), sized(INVALID, request), (ch, o) -> stub(ch, o).startJob(request));
    }

    /** Bytes no request message parses from: invalid UTF-8 in field 1 (every request's request_id), or broken wire format. */
    private Case garbage(Random r) {
        MethodDescriptor<byte[], byte[]> m = rawMethods.get(r.nextInt(rawMethods.size()));
        byte[] bytes = switch (r.nextInt(4)) {
            case 0 -> new Proto().bytes(1, HostileTraffic.invalidUtf8(r)).build();
            case 1 -> new byte[] {0x0a, (byte) (10 + r.nextInt(100)), 'a'}; // length beyond the end
            case 2 -> new byte[] {0x08, (byte) 0xff, (byte) 0xff}; // truncated varint
            default -> new byte[] {(byte) 0x0f, 1, 2, 3}; // wire type 7 does not exist
        };
        return new Case("garbage", m.getFullMethodName() + " " + bytes.length + " bytes", INVALID,
                HostileTraffic.raw(m, bytes));
    }

    /**
     * {@code codes}, plus RESOURCE_EXHAUSTED when the request is larger than the server reads at all
     * ({@code quarkus.grpc.server.max-inbound-message-size}, answered by the gRPC server before any code of ours).
     */
    private static Set<Status.Code> sized(Set<Status.Code> codes, com.google.protobuf.MessageLite request) {
        if (request.getSerializedSize() <= 200_000) {
            return codes;
        }
        Set<Status.Code> out = java.util.EnumSet.copyOf(codes);
        out.add(Status.Code.RESOURCE_EXHAUSTED);
        return out;
    }

    private static String abbreviated(Object o) {
        return HostileTraffic.abbreviate(o.toString().replace('\n', ' '), 200);
    }

    private HostileTraffic.Generator generator(JobConfig valid, JobConfig retried) {
        return (r, i) -> switch (r.nextInt(16)) {
            case 0, 1, 2 -> startJobFault(r, valid);
            case 3, 4 -> garbage(r);
            case 5 -> new Case("start-job-retry", "the retried job", OK, (ch, o) -> stub(ch, o).startJob(retried));
            case 6 -> {
                boolean bad = r.nextBoolean();
                String id = bad ? badId(r) : UUID.randomUUID().toString();
                JobRef ref = JobRef.newBuilder().setJobId(id).build();
                yield new Case("get-job", abbreviated(id), sized(bad ? INVALID : codes(Status.Code.NOT_FOUND), ref),
                        (ch, o) -> stub(ch, o).getJob(ref));
            }
            case 7 -> {
                boolean bad = r.nextBoolean();
                String id = bad ? badId(r) : UUID.randomUUID().toString();
                JobRef ref = JobRef.newBuilder().setJobId(id).build();
                yield new Case("cancel-job", abbreviated(id), sized(bad ? INVALID : codes(Status.Code.NOT_FOUND), ref),
                        (ch, o) -> stub(ch, o).cancelJob(ref));
            }
            case 8 -> {
                boolean bad = r.nextBoolean();
                String id = bad ? badId(r) : UUID.randomUUID().toString();
                JobRef ref = JobRef.newBuilder().setJobId(id).build();
                yield new Case("stream-progress", abbreviated(id), sized(bad ? INVALID : codes(Status.Code.NOT_FOUND), ref),
                        (ch, o) -> stub(ch, o).streamProgress(ref).forEachRemaining(e -> { }));
            }
            case 9 -> {
                boolean bad = r.nextInt(3) == 0;
                ListJobsRequest.Builder b = ListJobsRequest.newBuilder().setRequestId(bad ? badId(r) : "list-" + i);
                if (r.nextBoolean()) {
                    b.addStatesValue(r.nextInt(12));
                }
                ListJobsRequest request = b.build();
                yield new Case("list-jobs", bad ? "bad request id" : "valid", sized(bad ? INVALID : OK, request),
                        (ch, o) -> stub(ch, o).listJobs(request));
            }
            case 10 -> new Case("list-models", "valid", OK,
                    (ch, o) -> stub(ch, o).listModels(ListModelsRequest.newBuilder().setRequestId("m-" + i).build()));
            case 11 -> {
                String model = r.nextBoolean() ? "no-such-model-" + r.nextInt(1000) : HostileTraffic.randomString(r, 300) + "X";
                ListVersionsRequest request = ListVersionsRequest.newBuilder().setModelName(model).build();
                yield new Case("list-versions", abbreviated(model), sized(INVALID_OR_NOT_FOUND, request),
                        (ch, o) -> stub(ch, o).listVersions(request));
            }
            case 12 -> {
                String[] gates = {"{\"metrics\": {\"per\": {\"max\": 1}}}", "{", "[]", "{\"metrics\": {\"per\": {\"max\": true}}}",
                    "", "x".repeat(70_000), "{\"unknown\": 1}"};
                PromoteRequest.Builder b = PromoteRequest.newBuilder().setModelName("no-such-model-" + r.nextInt(1000))
                        .setGateJson(gates[r.nextInt(gates.length)]).setCandidate(HostileTraffic.randomString(r, 8).trim());
                switch (r.nextInt(4)) {
                    case 0 -> b.setActor(badId(r));
                    case 1 -> b.setModelName(HostileTraffic.randomString(r, 100) + "/");
                    case 2 -> b.setIdempotencyKey(badId(r));
                    default -> b.setActor("ci-" + i);
                }
                PromoteRequest request = b.build();
                yield new Case("promote", abbreviated(request), sized(INVALID_OR_NOT_FOUND, request),
                        (ch, o) -> stub(ch, o).promote(request));
            }
            case 13 -> {
                RollbackRequest.Builder b = RollbackRequest.newBuilder().setModelName("no-such-model-" + r.nextInt(1000));
                switch (r.nextInt(4)) {
                    case 0 -> b.setReason("x".repeat(1025 + r.nextInt(300_000)));
                    case 1 -> b.setReason("canary\nERROR forged line\r\n" + HostileTraffic.randomString(r, 20)
                            .replaceAll("\\p{Cntrl}", ""));
                    case 2 -> b.setActor(badId(r));
                    default -> b.setRequestId(badId(r));
                }
                RollbackRequest request = b.build();
                yield new Case("rollback", abbreviated(request), sized(INVALID_OR_NOT_FOUND, request),
                        (ch, o) -> stub(ch, o).rollback(request));
            }
            default -> {
                String model = r.nextBoolean() ? "no-such-model-" + r.nextInt(1000) : badId(r);
                GetModelHistoryRequest request = GetModelHistoryRequest.newBuilder().setModelName(model).build();
                yield new Case("model-history", abbreviated(model), sized(INVALID_OR_NOT_FOUND, request),
                        (ch, o) -> stub(ch, o).getModelHistory(request));
            }
        };
    }

    @Test
    void hostileTrafficGetsOnlyChosenStatusesAndTheTrainerStillTrains() throws Exception {
        ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .maxInboundMessageSize(4 * 1024 * 1024).build();
        try {
            JobConfig valid = TrainerJobsContractTest.tiny("hostile").setExport(false).build();
            String key = "hostile-retry-" + UUID.randomUUID();
            JobConfig retried = valid.toBuilder().setModelName("hostile-retried").setIdempotencyKey(key).build();
            HostileTraffic.Result result = HostileTraffic.run(channel, generator(valid, retried), SEED, REQUESTS, 8,
                    Duration.ofMinutes(4), Duration.ofSeconds(60));
            System.out.println("trainer hostile traffic: " + result.summary());
            assertEquals(REQUESTS, result.sent(), result.summary());
            assertTrue(result.violations().isEmpty(), result.violations().size() + " violations, first: "
                    + result.violations().subList(0, Math.min(5, result.violations().size())));
            assertTrue(!result.codes().containsKey(Status.Code.INTERNAL) && !result.codes().containsKey(Status.Code.UNKNOWN));

            // healthy afterwards
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, GrpcTesting.grpcHealth(channel));
            assertEquals(200, GrpcTesting.readiness(base).statusCode());

            // the job retried from 8 threads at once exists exactly once, and trained
            TrainerGrpc.TrainerBlockingStub trainer = TrainerGrpc.newBlockingStub(channel);
            List<Job> retriedJobs = trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                    .filter(j -> j.getConfig().getIdempotencyKey().equals(key)).toList();
            assertEquals(1, retriedJobs.size());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, last(trainer, retriedJobs.get(0).getJobId()).getState());

            // and a new real job still trains
            Job fresh = trainer.startJob(TrainerJobsContractTest.tiny("after-hostile-" + System.nanoTime()).build());
            ProgressEvent end = last(trainer, fresh.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, end.getState(), end.getMessage());
            assertTrue(trainer.getJob(JobRef.newBuilder().setJobId(fresh.getJobId()).build()).hasExported());
        } finally {
            GrpcTesting.close(channel);
        }
    }

    private static ProgressEvent last(TrainerGrpc.TrainerBlockingStub trainer, String jobId) {
        Iterator<ProgressEvent> it = trainer.withDeadlineAfter(5, TimeUnit.MINUTES)
                .streamProgress(JobRef.newBuilder().setJobId(jobId).build());
        List<ProgressEvent> events = new ArrayList<>();
        it.forEachRemaining(events::add);
        return events.get(events.size() - 1);
    }
}
