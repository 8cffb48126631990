package io.crossmodal.decoder;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ModelVersion;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.Greedy;
import io.crossmodal.proto.decoder.v1.Sampling;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.runtime.onnx.SessionFactory;
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

/** The Decoder over a real gRPC server on a random port, with a random-weight bundle in a temp registry. */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderGrpcServiceTest {

    static final List<String> PHONEME_SYMBOLS =
            TinyRegistryResource.PHONEMES.subList(4, TinyRegistryResource.PHONEMES.size());

    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    DecoderGrpc.DecoderBlockingStub decoder;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    static DecodeRequest.Builder request(String model, String... graphemes) {
        return DecodeRequest.newBuilder()
                .setRequestId("test")
                .setModel(ModelRef.newBuilder().setName(model))
                .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(graphemes)));
    }

    static void assertSortedPhonemes(List<ScoredSequence> hyps) {
        for (int i = 0; i < hyps.size(); i++) {
            ScoredSequence h = hyps.get(i);
            assertTrue(h.getLogProb() <= 0, "log prob " + h.getLogProb());
            assertTrue(PHONEME_SYMBOLS.containsAll(h.getTokensList()), "phonemes only: " + h.getTokensList());
            if (i > 0) {
                assertTrue(hyps.get(i - 1).getLogProb() >= h.getLogProb(), "sorted best first");
            }
        }
    }

    @Test
    void beamAnswersNBestSortedByLogProb() {
        DecodeResponse r = decoder.decode(request("tiny", "c", "a", "t").setNBest(3)
                .setBeam(Beam.newBuilder().setWidth(5)).build());
        assertEquals("test", r.getRequestId());
        assertEquals("tiny", r.getModelName());
        assertEquals("1", r.getModelVersion(), "no selector: the production alias");
        assertEquals(DecodeResponse.OutputCase.SEQUENCES, r.getOutputCase());
        assertEquals(3, r.getSequences().getSequencesCount());
        assertSortedPhonemes(r.getSequences().getSequencesList());
        // no strategy: beam with the default width
        assertEquals(2, decoder.decode(request("tiny", "s", "e", "e").setNBest(2).build()).getSequences().getSequencesCount());
    }

    /**
     * A composed ensemble bundle is served like any model: its beam answers over gRPC are the members' ensemble's,
     * searched in-process over the members' own graphs.
     */
    @Test
    void anEnsembleBundleAnswersAsItsMembersSearchedTogether() {
        DecodeResponse r = decoder.decode(request("ensemble", "c", "a", "t", "s").setNBest(3).setMaxLength(12)
                .setBeam(Beam.newBuilder().setWidth(4)).build());
        assertEquals("ensemble", r.getModelName());
        List<Seq2SeqPredictor> members = new java.util.ArrayList<>();
        for (Seq2SeqWeights w : TinyRegistryResource.ensembleMembers()) {
            members.add(new Seq2SeqPredictor(OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w),
                    Seq2SeqGraphs.decoderStep(w)), TinyRegistryResource.GRAPHEMES, TinyRegistryResource.PHONEMES, 64));
        }
        try (Seq2SeqPredictor together = Seq2SeqPredictor.ensemble(members)) {
            var want = together.transduce(List.of(List.of("c", "a", "t", "s")), SearchOptions.beam(4, 3).withMaxLength(12)).get(0);
            assertEquals(want.size(), r.getSequences().getSequencesCount());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).symbols(), r.getSequences().getSequences(i).getTokensList(), "rank " + i);
                assertEquals(want.get(i).logProb(), r.getSequences().getSequences(i).getLogProb(), 1e-4);
            }
        }
    }

    @Test
    void greedyAndSampling() {
        DecodeResponse greedy = decoder.decode(request("tiny", "c", "a", "t").setGreedy(Greedy.getDefaultInstance()).build());
        assertEquals(1, greedy.getSequences().getSequencesCount());
        DecodeResponse best = decoder.decode(request("tiny", "c", "a", "t").setBeam(Beam.newBuilder().setWidth(1)).build());
        assertEquals(greedy.getSequences().getSequences(0).getTokensList(), best.getSequences().getSequences(0).getTokensList());

        DecodeRequest sampling = request("tiny", "c", "a", "t").setNBest(4)
                .setSampling(Sampling.newBuilder().setTemperature(1.5f).setSeed(7)).build();
        DecodeResponse s1 = decoder.decode(sampling);
        assertEquals(4, s1.getSequences().getSequencesCount());
        assertSortedPhonemes(s1.getSequences().getSequencesList());
        assertEquals(s1.getSequences(), decoder.decode(sampling).getSequences(), "same seed, same samples");
    }

    @Test
    void unknownSymbolIsInvalidArgumentNamingSymbolAndPosition() {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT,
                () -> decoder.decode(request("tiny", "c", "a", "t", "z").build()));
        String message = e.getStatus().getDescription();
        assertTrue(message.contains("'z'") && message.contains("position 3"), message);
        e = fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "K", "AE").build()));
        assertTrue(e.getStatus().getDescription().contains("'K' at position 0"), e.getStatus().getDescription());
    }

    @Test
    void emptyOrMissingInputIsInvalidArgument() {
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny").build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny").clearTokens().build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").clearModel().build()));
    }

    @Test
    void badOptionsAreInvalidArgument() {
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setNBest(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setNBest(1000).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setBeam(Beam.newBuilder().setWidth(0)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setBeam(Beam.newBuilder().setWidth(65)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setNBest(3)
                .setBeam(Beam.newBuilder().setWidth(2)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setNBest(2)
                .setGreedy(Greedy.getDefaultInstance()).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a")
                .setSampling(Sampling.newBuilder().setTemperature(0f)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a")
                .setSampling(Sampling.newBuilder().setTemperature(Float.NaN)).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setMaxLength(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a").setMaxLength(201).build()));
    }

    @Test
    void latentInputIsNotSupportedBySeq2Seq() {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny")
                .setLatent(Latent.newBuilder().addMean(0f).addLogVariance(0f)).build()));
        assertTrue(e.getStatus().getDescription().contains("latent input is not supported"), e.getStatus().getDescription());
    }

    @Test
    void unknownModelVersionOrAliasIsNotFound() {
        StatusRuntimeException e = fails(Status.Code.NOT_FOUND, () -> decoder.decode(request("nosuchmodel", "a").build()));
        assertTrue(e.getStatus().getDescription().contains("nosuchmodel"), e.getStatus().getDescription());
        fails(Status.Code.NOT_FOUND, () -> decoder.decode(request("tiny", "a")
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion("3")).build()));
        fails(Status.Code.NOT_FOUND, () -> decoder.decode(request("tiny", "a")
                .setModel(ModelRef.newBuilder().setName("tiny").setAlias("staging")).build()));
    }

    /** A malformed name or version is the caller's mistake, not a missing model: INVALID_ARGUMENT naming the field. */
    @Test
    void malformedModelNameOrVersionIsInvalidArgument() {
        for (String version : List.of(" 1", "1 ", "01", "-1", "one")) {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request("tiny", "a")
                    .setModel(ModelRef.newBuilder().setName("tiny").setVersion(version)).build()));
            assertTrue(e.getStatus().getDescription().contains("model.version"), e.getStatus().getDescription());
        }
        for (String name : List.of("../etc", "a/b", " tiny", "ti\tny", "b".repeat(201))) {
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> decoder.decode(request(name, "a").build()));
            assertTrue(e.getStatus().getDescription().contains("model.name"), e.getStatus().getDescription());
        }
        decoder.decode(request("tiny", "a").setModel(ModelRef.newBuilder().setName("tiny").setVersion("1")).build());
    }

    @Test
    void corruptOrUnusableBundleIsFailedPrecondition() {
        fails(Status.Code.FAILED_PRECONDITION, () -> decoder.decode(request("broken", "a").build()));
        StatusRuntimeException e = fails(Status.Code.FAILED_PRECONDITION, () -> decoder.decode(request("p2gonly", "a").build()));
        assertTrue(e.getStatus().getDescription().contains("g2p"), e.getStatus().getDescription());
        assertEquals(1, decoder.decode(request("tiny", "a").build()).getSequences().getSequencesCount());
    }

    @Test
    void modelInfoDescribesVersionsVocabulariesAndProvider() {
        ModelInfoResponse info = decoder.modelInfo(ModelInfoRequest.newBuilder().setRequestId("info")
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion("2")).build());
        assertEquals("g2p", info.getComponent());
        assertEquals("cpu", info.getExecutionProvider());
        ModelVersion resolved = info.getResolved();
        assertEquals("2", resolved.getVersion());
        assertEquals(List.of(), resolved.getAliasesList());
        assertEquals(List.of("1", "2"), info.getVersionsList().stream().map(ModelVersion::getVersion).toList());
        assertEquals("graphemes", info.getSourceVocabulary().getName());
        assertEquals(TinyRegistryResource.GRAPHEMES, info.getSourceVocabulary().getSymbolsList());
        assertEquals(TinyRegistryResource.PHONEMES, info.getTargetVocabulary().getSymbolsList());
    }

    @Test
    void readinessReportsPreloadedModel() throws Exception {
        HttpResponse<String> r = GrpcTesting.readiness(base);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("crossmodal-decoder-models") && r.body().contains("tiny/1"), r.body());
    }

    @Test
    void grpcHealthServiceAnswersServing() {
        // what the Kubernetes grpc: liveness probe (k8s/base) asks, on the same port as the API
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, GrpcTesting.grpcHealth(channel));
    }
}
