package io.crossmodal.encoder;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ModelVersion;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Encoder over a real gRPC server on a random port, with a random-weight bundle in a temp registry. */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderGrpcServiceTest {

    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    EncoderGrpc.EncoderBlockingStub encoder;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    static EncodeRequest.Builder request(String model, String... phonemes) {
        return EncodeRequest.newBuilder()
                .setRequestId("test")
                .setModel(ModelRef.newBuilder().setName(model))
                .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(phonemes)));
    }

    @Test
    void answersNBestHypothesesSortedByLogProb() {
        EncodeResponse r = encoder.encode(request("tiny", "K", "AE", "T").setNBest(3).setBeamWidth(5).build());
        assertEquals("test", r.getRequestId());
        assertEquals("tiny", r.getModelName());
        assertEquals("1", r.getModelVersion(), "no selector: the production alias");
        List<ScoredSequence> hyps = r.getHypotheses().getSequencesList();
        assertEquals(3, hyps.size());
        for (int i = 0; i < hyps.size(); i++) {
            ScoredSequence h = hyps.get(i);
            assertTrue(h.getLogProb() <= 0, "log prob " + h.getLogProb());
            assertTrue(TinyRegistryResource.GRAPHEMES.subList(4, TinyRegistryResource.GRAPHEMES.size())
                    .containsAll(h.getTokensList()), "graphemes only: " + h.getTokensList());
            if (i > 0) {
                assertTrue(hyps.get(i - 1).getLogProb() >= h.getLogProb(), "sorted best first");
            }
        }
        // defaults: n_best 1
        assertEquals(1, encoder.encode(request("tiny", "S", "EH").build()).getHypotheses().getSequencesCount());
    }

    @Test
    void versionAndAliasSelectors() {
        EncodeRequest.Builder b = request("tiny", "T", "EH", "K");
        b.setModel(ModelRef.newBuilder().setName("tiny").setVersion("2"));
        assertEquals("2", encoder.encode(b.build()).getModelVersion());
        b.setModel(ModelRef.newBuilder().setName("tiny").setAlias("latest"));
        assertEquals("2", encoder.encode(b.build()).getModelVersion());
        b.setModel(ModelRef.newBuilder().setName("tiny").setAlias("production"));
        assertEquals("1", encoder.encode(b.build()).getModelVersion());
    }

    @Test
    void concurrentRequestsOverSeveralVersionsAgree() throws Exception {
        EncodeRequest v1 = request("tiny", "K", "AE", "T").setNBest(2).build();
        EncodeRequest v2 = request("tiny", "K", "AE", "T").setNBest(2)
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion("2")).build();
        EncodeResponse expected1 = encoder.encode(v1);
        EncodeResponse expected2 = encoder.encode(v2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                boolean first = i % 2 == 0;
                results.add(pool.submit(() -> first
                        ? encoder.encode(v1).equals(expected1)
                        : encoder.encode(v2).equals(expected2)));
            }
            for (java.util.concurrent.Future<Boolean> f : results) {
                assertTrue(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownSymbolIsInvalidArgumentNamingSymbolAndPosition() {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT,
                () -> encoder.encode(request("tiny", "K", "XX", "T").build()));
        String message = e.getStatus().getDescription();
        assertTrue(message.contains("'XX'") && message.contains("position 1"), message);
        // graphemes are the wrong side for the encoder
        e = fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "c", "a", "t").build()));
        assertTrue(e.getStatus().getDescription().contains("'c' at position 0"), e.getStatus().getDescription());
        // special symbols are never accepted
        e = fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K", "<unk>").build()));
        assertTrue(e.getStatus().getDescription().contains("'<unk>' at position 1"), e.getStatus().getDescription());
    }

    @Test
    void emptyOrMissingInputIsInvalidArgument() {
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny").clearTokens().build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").clearModel().build()));
    }

    @Test
    void badOptionsAreInvalidArgument() {
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setNBest(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setNBest(-2).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setBeamWidth(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setBeamWidth(10_000).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setNBest(5).setBeamWidth(2).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setMaxLength(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K").setMaxLength(1_000_000).build()));
        String[] tooLong = new String[65];
        java.util.Arrays.fill(tooLong, "K");
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", tooLong).build()));
        // a max_length of 1 is honoured: at most one symbol
        EncodeResponse r = encoder.encode(request("tiny", "K", "AE", "T").setMaxLength(1).setNBest(2).build());
        r.getHypotheses().getSequencesList().forEach(h -> assertTrue(h.getTokensCount() <= 1));
    }

    @Test
    void unsupportedInputKindIsInvalidArgument() {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny")
                .setFrames(FrameSequence.newBuilder().setFrameDim(2).addValues(0.5f).addValues(1f)).build()));
        assertTrue(e.getStatus().getDescription().contains("frames input is not supported"), e.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny")
                .setImage(Image.newBuilder().setHeight(1).setWidth(1).setChannels(1).addPixels(0f)).build()));
    }

    @Test
    void unknownModelVersionOrAliasIsNotFound() {
        StatusRuntimeException e = fails(Status.Code.NOT_FOUND, () -> encoder.encode(request("nosuchmodel", "K").build()));
        assertTrue(e.getStatus().getDescription().contains("nosuchmodel"), e.getStatus().getDescription());
        fails(Status.Code.NOT_FOUND, () -> encoder.encode(request("tiny", "K")
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion("9")).build()));
        fails(Status.Code.NOT_FOUND, () -> encoder.encode(request("tiny", "K")
                .setModel(ModelRef.newBuilder().setName("tiny").setAlias("candidate")).build()));
        fails(Status.Code.NOT_FOUND, () -> encoder.modelInfo(ModelInfoRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("nosuchmodel")).build()));
    }

    /** A malformed name or version is the caller's mistake, not a missing model: INVALID_ARGUMENT naming the field. */
    @Test
    void malformedModelNameOrVersionIsInvalidArgument() {
        for (String version : List.of(" 1", "1 ", "01", "+1", "one", "1.0", "9999999999", "")) {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request("tiny", "K")
                    .setModel(ModelRef.newBuilder().setName("tiny").setVersion(version)).build()));
            assertTrue(e.getStatus().getDescription().contains("model.version"), e.getStatus().getDescription());
        }
        for (String name : List.of("../etc", "a/b", " tiny", "tiny ", "ti ny", "tiny\u0000", "-tiny", ".tiny",
                "a".repeat(201))) {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> encoder.encode(request(name, "K").build()));
            assertTrue(e.getStatus().getDescription().contains("model.name"), e.getStatus().getDescription());
            fails(Status.Code.INVALID_ARGUMENT, () -> encoder.modelInfo(ModelInfoRequest.newBuilder()
                    .setModel(ModelRef.newBuilder().setName(name)).build()));
        }
        // the same selectors, well-formed, still work
        encoder.encode(request("tiny", "K").setModel(ModelRef.newBuilder().setName("tiny").setVersion("1")).build());
    }

    @Test
    void corruptOrUnusableBundleIsFailedPrecondition() {
        StatusRuntimeException e = fails(Status.Code.FAILED_PRECONDITION, () -> encoder.encode(request("broken", "K").build()));
        assertTrue(e.getStatus().getDescription().contains("checksum"), e.getStatus().getDescription());
        e = fails(Status.Code.FAILED_PRECONDITION, () -> encoder.encode(request("g2ponly", "K").build()));
        assertTrue(e.getStatus().getDescription().contains("p2g"), e.getStatus().getDescription());
        // the service keeps serving
        assertEquals(1, encoder.encode(request("tiny", "K").build()).getHypotheses().getSequencesCount());
    }

    @Test
    void modelInfoDescribesVersionsVocabulariesAndProvider() {
        ModelInfoResponse info = encoder.modelInfo(ModelInfoRequest.newBuilder().setRequestId("info")
                .setModel(ModelRef.newBuilder().setName("tiny")).build());
        assertEquals("info", info.getRequestId());
        assertEquals("p2g", info.getComponent());
        assertEquals("cpu", info.getExecutionProvider());
        ModelVersion resolved = info.getResolved();
        assertEquals("tiny", resolved.getName());
        assertEquals("1", resolved.getVersion());
        assertEquals("seq2seq", resolved.getFamily());
        assertEquals(List.of("production"), resolved.getAliasesList());
        assertEquals(0.25, resolved.getMetricsOrThrow("g2p.test.per"), 1e-9);
        assertTrue(resolved.getCreatedAt().getSeconds() > 0);
        assertEquals(List.of("1", "2"), info.getVersionsList().stream().map(ModelVersion::getVersion).toList());
        assertEquals("1", info.getAliasesOrThrow("production"));
        assertEquals("phonemes", info.getSourceVocabulary().getName());
        assertEquals(TinyRegistryResource.PHONEMES, info.getSourceVocabulary().getSymbolsList());
        assertEquals(TinyRegistryResource.GRAPHEMES, info.getTargetVocabulary().getSymbolsList());
    }

    @Test
    void readinessReportsPreloadedModel() throws Exception {
        HttpResponse<String> r = GrpcTesting.readiness(base);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("crossmodal-encoder-models") && r.body().contains("tiny/1")
                && r.body().contains("cpu"), r.body());
    }

    @Test
    void grpcHealthServiceAnswersServing() {
        // what the Kubernetes grpc: liveness probe (k8s/base) asks, on the same port as the API
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, GrpcTesting.grpcHealth(channel));
    }
}
