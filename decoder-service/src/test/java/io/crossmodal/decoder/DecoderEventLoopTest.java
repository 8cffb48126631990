package io.crossmodal.decoder;

import static io.crossmodal.decoder.DecoderBatchingTest.assertSameSequences;
import static io.crossmodal.decoder.DecoderBatchingTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.Greedy;
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
 * Where a unary Decode runs ({@code crossmodal.serving.batching.event-loop-when-idle}, on by default): a cheap request
 * for an idle, ready model on the gRPC event loop; an expensive one on a worker thread, a heavy one in the heavy lane,
 * and one that must read the registry is admitted on a worker; the answers are the same whichever thread ran them. Counted by the lane ({@link BatchStats}:
 * {@code ranOnCaller}, and {@code ranOnEventLoop} where that caller was a Vert.x event-loop thread). Model {@code tiny}
 * is preloaded (a followed default) with the default batching settings (no fill window, one batch worker on 2 cores).
 */
@QuarkusTest
@WithTestResource(LoadTestingRegistryResource.class)
class DecoderEventLoopTest {

    static final String MODEL = "tiny";
    static final List<String> WORD = List.of("c", "a", "t");

    @TestHTTPResource("/")
    URL base;

    @Inject
    BatchStats stats;

    @Inject
    InferenceQueue queue;

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

    /** Greedy, at most 4 steps: 4 work units. */
    static DecodeRequest cheap(String id) {
        return request(MODEL, id, WORD).setGreedy(Greedy.getDefaultInstance()).setMaxLength(4).build();
    }

    /** The same request on a batch thread: a stream's requests always queue. */
    DecodeResponse onABatchThread(DecodeRequest r) throws InterruptedException {
        List<DecodeResponse> answers = StreamExchange.exchange(DecoderGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)::decodeStream, List.of(r), 30);
        assertEquals(1, answers.size());
        return answers.get(0);
    }

    @Test
    void aCheapRequestForAnIdleModelRunsOnTheEventLoopWithTheSameAnswer() throws Exception {
        DecodeResponse reference = onABatchThread(cheap("stream")); // also a lone run: the model's time per work unit
        assertTrue(queue.nanosPerUnit(MODEL) > 0, "a lone run was measured");
        BatchStats.Snapshot before = stats.snapshot(MODEL);
        // one request at a time, so each finds the model idle; a few tries, because the measured time per work unit
        // of a loaded machine may briefly predict more than event-loop-max-run (1 ms) for 4 units
        long ranThere = 0;
        for (int i = 0; i < 50 && ranThere == 0; i++) {
            DecodeResponse answer = decoder.decode(cheap("cheap-" + i));
            assertEquals("cheap-" + i, answer.getRequestId());
            assertEquals(MODEL, answer.getModelName());
            assertSameSequences(reference, answer);
            ranThere = stats.snapshot(MODEL).ranOnEventLoop() - before.ranOnEventLoop();
        }
        BatchStats.Snapshot after = stats.snapshot(MODEL);
        assertEquals(1, ranThere, "a cheap lone request ran on the event loop: " + after + ", "
                + queue.nanosPerUnit(MODEL) + " ns per work unit");
        assertTrue(after.ranOnCaller() - before.ranOnCaller() >= 1, after.toString());
    }

    /**
     * An expensive request that finds its model idle is handed to a worker thread and runs there (counted as run on its
     * caller, not on an event loop), as from a {@code @Blocking} handler; a heavy one queues in the heavy lane.
     */
    @Test
    void anExpensiveRequestRunsOnAWorkerThreadNotOnTheEventLoop() throws Exception {
        // beam 8 x max_length 100 = 800 work units: over event-loop-max-cost (256), within heavy-request-cost (1,024)
        DecodeRequest expensive = request(MODEL, "expensive", WORD).setBeam(Beam.newBuilder().setWidth(8)).setMaxLength(100)
                .build();
        // beam 16 x 100 = 1,600: the heavy lane
        DecodeRequest heavy = request(MODEL, "heavy", WORD).setBeam(Beam.newBuilder().setWidth(16)).setMaxLength(100).build();
        DecodeResponse expensiveReference = onABatchThread(expensive);
        DecodeResponse heavyReference = onABatchThread(heavy);

        BatchStats.Snapshot before = stats.snapshot(MODEL);
        assertSameSequences(heavyReference, decoder.decode(heavy));
        BatchStats.Snapshot afterHeavy = stats.snapshot(MODEL);
        assertEquals(1, afterHeavy.batchedRequests() - before.batchedRequests(), afterHeavy.toString());
        assertEquals(before.ranOnCaller(), afterHeavy.ranOnCaller(), "a heavy request is queued: " + afterHeavy);

        // one at a time, so each finds the model idle (a few tries: the previous run may still be ending its batch)
        long onWorker = 0;
        for (int i = 0; i < 20 && onWorker == 0; i++) {
            assertSameSequences(expensiveReference, decoder.decode(expensive));
            onWorker = stats.snapshot(MODEL).ranOnCaller() - afterHeavy.ranOnCaller();
        }
        BatchStats.Snapshot after = stats.snapshot(MODEL);
        assertEquals(1, onWorker, "the expensive request ran on the thread it was handed to: " + after);
        assertEquals(before.ranOnEventLoop(), after.ranOnEventLoop(), "nothing ran on the event loop: " + after);
    }

    @Test
    void aRequestNamingAVersionIsAdmittedOnAWorkerThread() throws Exception {
        // resolving a version reads the registry: the request goes to a worker thread (and may run there)
        DecodeRequest named = cheap("named").toBuilder().setModel(ModelRef.newBuilder().setName(MODEL).setVersion("1")).build();
        DecodeResponse reference = onABatchThread(named);
        BatchStats.Snapshot before = stats.snapshot(MODEL);
        for (int i = 0; i < 5; i++) {
            DecodeResponse answer = decoder.decode(named);
            assertEquals("1", answer.getModelVersion());
            assertSameSequences(reference, answer);
        }
        BatchStats.Snapshot after = stats.snapshot(MODEL);
        assertEquals(5, after.batchedRequests() - before.batchedRequests(), after.toString());
        assertEquals(before.ranOnEventLoop(), after.ranOnEventLoop(), "none ran on the event loop: " + after);
    }
}
