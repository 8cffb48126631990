package io.crossmodal.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.InferenceQueue;
import io.crossmodal.serving.common.batching.BatchStats;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.LoadTestingRegistryResource;
import io.crossmodal.serving.common.testing.StreamExchange;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a unary Encode runs ({@code crossmodal.serving.batching.event-loop-when-idle}): a cheap request for an idle,
 * ready model on the gRPC event loop, an expensive one and one that names a version elsewhere, with the same answers
 * as on a batch thread; counted by the lane ({@link BatchStats} {@code ranOnEventLoop}). The decoder's twin:
 * {@code DecoderEventLoopTest}.
 */
@QuarkusTest
@WithTestResource(LoadTestingRegistryResource.class)
class EncoderEventLoopTest {

    static final String MODEL = "tiny";
    static final List<String> PHONES = List.of("K", "AE", "T");

    @TestHTTPResource("/")
    URL base;

    @Inject
    BatchStats stats;

    @Inject
    InferenceQueue queue;

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

    static EncodeRequest request(String id, int beamWidth, int maxLength) {
        return EncodeRequest.newBuilder().setRequestId(id).setModel(ModelRef.newBuilder().setName(MODEL))
                .setTokens(TokenSequence.newBuilder().addAllTokens(PHONES)).setBeamWidth(beamWidth).setMaxLength(maxLength)
                .build();
    }

    /** The same request on a batch thread: a stream's requests always queue. */
    EncodeResponse onABatchThread(EncodeRequest r) throws InterruptedException {
        List<EncodeResponse> answers = StreamExchange.exchange(EncoderGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)::encodeStream, List.of(r), 30);
        assertEquals(1, answers.size());
        return answers.get(0);
    }

    static void assertSameHypotheses(EncodeResponse expected, EncodeResponse actual) {
        List<ScoredSequence> e = expected.getHypotheses().getSequencesList();
        List<ScoredSequence> a = actual.getHypotheses().getSequencesList();
        assertEquals(e.size(), a.size(), actual.getRequestId());
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).getTokensList(), a.get(i).getTokensList(), actual.getRequestId());
            assertEquals(e.get(i).getLogProb(), a.get(i).getLogProb(), 1e-4, actual.getRequestId());
        }
    }

    @Test
    void aCheapRequestForAnIdleModelRunsOnTheEventLoopWithTheSameAnswer() throws Exception {
        EncodeRequest cheap = request("cheap", 1, 4); // greedy, 4 steps: 4 work units
        EncodeResponse reference = onABatchThread(cheap);
        assertTrue(queue.nanosPerUnit(MODEL) > 0, "a lone run was measured");
        BatchStats.Snapshot before = stats.snapshot(MODEL);
        long ranThere = 0;
        for (int i = 0; i < 50 && ranThere == 0; i++) { // one at a time, so each finds the model idle
            EncodeResponse answer = encoder.encode(cheap);
            assertEquals(MODEL, answer.getModelName());
            assertSameHypotheses(reference, answer);
            ranThere = stats.snapshot(MODEL).ranOnEventLoop() - before.ranOnEventLoop();
        }
        assertEquals(1, ranThere, "a cheap lone request ran on the event loop: " + stats.snapshot(MODEL));
    }

    @Test
    void anExpensiveRequestAndOneNamingAVersionDoNotRunOnTheEventLoop() throws Exception {
        EncodeRequest expensive = request("expensive", 8, 100); // 800 work units: over event-loop-max-cost (256)
        EncodeRequest named = request("named", 1, 4).toBuilder()
                .setModel(ModelRef.newBuilder().setName(MODEL).setVersion("1")).build(); // a registry read: a worker
        EncodeResponse expensiveReference = onABatchThread(expensive);
        EncodeResponse namedReference = onABatchThread(named);
        BatchStats.Snapshot before = stats.snapshot(MODEL);
        assertSameHypotheses(expensiveReference, encoder.encode(expensive));
        assertSameHypotheses(namedReference, encoder.encode(named));
        BatchStats.Snapshot after = stats.snapshot(MODEL);
        assertEquals(2, after.batchedRequests() - before.batchedRequests(), after.toString());
        assertEquals(before.ranOnEventLoop(), after.ranOnEventLoop(), "neither ran on the event loop: " + after);
    }
}
