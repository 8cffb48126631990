package io.crossmodal.decoder;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.BULK;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.MERGE;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.SLOW;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.SLOW_CAPACITY;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.SLOW_DELAY_MS;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.STREAM_IN_FLIGHT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.Greedy;
import io.crossmodal.proto.decoder.v1.Sampling;
import io.crossmodal.serving.common.batching.BatchStats;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.LoadTestingRegistryResource;
import io.crossmodal.serving.common.testing.StreamExchange;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching, queue limits, deadlines, cancellation and the DecodeStream RPC, over a real server
 * (models and per-model batching settings: {@link LoadTestingRegistryResource}).
 */
@QuarkusTest
@WithTestResource(LoadTestingRegistryResource.class)
class DecoderBatchingTest {

    static final List<List<String>> WORDS = List.of(List.of("c", "a", "t"), List.of("s", "e", "a"),
            List.of("t", "a", "c", "k", "s"), List.of("a"), List.of("e", "a", "s", "t"), List.of("c", "a", "s", "t", "e", "s"));

    @TestHTTPResource("/")
    URL base;

    @Inject
    BatchStats stats;

    ManagedChannel channel;
    DecoderGrpc.DecoderBlockingStub decoder;
    DecoderGrpc.DecoderFutureStub futures;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        futures = DecoderGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    static DecodeRequest.Builder request(String model, String id, List<String> graphemes) {
        return DecodeRequest.newBuilder().setRequestId(id).setModel(ModelRef.newBuilder().setName(model))
                .setTokens(TokenSequence.newBuilder().addAllTokens(graphemes));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out waiting for: " + what);
            Thread.sleep(5);
        }
    }

    static void assertSameSequences(DecodeResponse expected, DecodeResponse actual) {
        List<ScoredSequence> e = expected.getSequences().getSequencesList();
        List<ScoredSequence> a = actual.getSequences().getSequencesList();
        assertEquals(e.size(), a.size(), actual.getRequestId());
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).getTokensList(), a.get(i).getTokensList(), actual.getRequestId());
            assertEquals(e.get(i).getLogProb(), a.get(i).getLogProb(), 1e-4, actual.getRequestId());
        }
    }

    @Test
    void concurrentRequestsAreMergedIntoBatchesAndAnsweredAsIfAlone() throws Exception {
        BatchStats.Snapshot before = stats.snapshot(MERGE);
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // different inputs, lengths (so different default max_length) and n_best: one batch key
            requests.add(request(MERGE, "beam-" + i, WORDS.get(i % WORDS.size())).setNBest(1 + i % 3)
                    .setBeam(Beam.newBuilder().setWidth(3)).build());
        }
        for (int i = 0; i < 6; i++) {
            requests.add(request(MERGE, "sample-" + i, WORDS.get(i)).setNBest(2)
                    .setSampling(Sampling.newBuilder().setTemperature(1.2f).setSeed(100 + i)).build());
        }
        requests.add(request(MERGE, "greedy", WORDS.get(2)).setGreedy(Greedy.getDefaultInstance()).build());
        List<ListenableFuture<DecodeResponse>> answers = new ArrayList<>();
        for (DecodeRequest r : requests) {
            answers.add(futures.decode(r));
        }
        for (int i = 0; i < requests.size(); i++) {
            DecodeResponse batched = answers.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(requests.get(i).getRequestId(), batched.getRequestId());
            assertEquals("1", batched.getModelVersion());
            // the same request alone, on model tiny (the same weights), in a batch of one
            DecodeResponse alone = decoder.decode(requests.get(i).toBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build());
            assertSameSequences(alone, batched);
        }
        BatchStats.Snapshot after = stats.snapshot(MERGE);
        long batches = after.batches() - before.batches();
        assertEquals(requests.size(), after.batchedRequests() - before.batchedRequests());
        assertTrue(after.largestBatch() >= 6, "concurrent requests share batches: " + after);
        assertTrue(batches >= 3, "beam, sampling and greedy requests never share a batch: " + after);
        assertTrue(batches <= 6, "19 requests in at most a few batches: " + after);
    }

    @Test
    void aFullQueueIsResourceExhaustedAtOnce() throws Exception {
        BatchStats.Snapshot before = stats.snapshot(SLOW);
        List<ListenableFuture<DecodeResponse>> waiting = new ArrayList<>();
        for (int i = 0; i < SLOW_CAPACITY; i++) {
            waiting.add(futures.decode(request(SLOW, "q" + i, WORDS.get(i)).build()));
        }
        await("the queue to fill", () -> stats.snapshot(SLOW).queued() == SLOW_CAPACITY);
        StatusRuntimeException e = fails(Status.Code.RESOURCE_EXHAUSTED,
                () -> decoder.decode(request(SLOW, "one-too-many", WORDS.get(0)).build()));
        // refused at once, not after waiting: the queued requests had not run yet (a counter, not a clock)
        assertEquals(before.batches(), stats.snapshot(SLOW).batches(), "refused before the queue's batch ran");
        String message = e.getStatus().getDescription();
        assertTrue(message.contains(SLOW) && message.contains("queue"), message);
        for (ListenableFuture<DecodeResponse> f : waiting) {
            assertEquals(1, f.get(30, TimeUnit.SECONDS).getSequences().getSequencesCount(), "queued requests still run");
        }
        BatchStats.Snapshot after = stats.snapshot(SLOW);
        assertEquals(1, after.rejected() - before.rejected());
        assertEquals(1, after.batches() - before.batches(), "the queued requests ran as one batch");
    }

    @Test
    void aRequestWhoseDeadlinePassesWhileQueuedIsDeadlineExceededAndNeverRuns() throws Exception {
        // a connected channel, so the deadline is spent waiting in the queue, not on connecting
        assertEquals(1, decoder.decode(request("tiny", "warm-up", WORDS.get(1)).build()).getSequences().getSequencesCount());
        BatchStats.Snapshot before = stats.snapshot(SLOW);
        // the deadline (well below the queue delay) passes while the request waits for its batch to fill
        fails(Status.Code.DEADLINE_EXCEEDED, () -> DecoderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(SLOW_DELAY_MS / 3, TimeUnit.MILLISECONDS).decode(request(SLOW, "late", WORDS.get(1)).build()));
        // the server knew the deadline (grpc-timeout) and dropped the request from its queue
        await("the server to expire the request", () -> stats.snapshot(SLOW).expired() - before.expired() == 1);
        assertEquals(0, stats.snapshot(SLOW).queued());
        // a later request to the same queue runs in a batch of its own: the expired one never ran (no sleep:
        // the sentinel's answer orders the check after the batch that the expired request would have joined)
        assertEquals(1, decoder.decode(request(SLOW, "sentinel", WORDS.get(1)).build()).getSequences().getSequencesCount());
        BatchStats.Snapshot after = stats.snapshot(SLOW);
        assertEquals(1, after.batches() - before.batches(), "only the sentinel's batch ran: " + after);
        assertEquals(1, after.batchedRequests() - before.batchedRequests(), "the expired request never ran: " + after);
        assertEquals(1, decoder.decode(request("tiny", "after", WORDS.get(1)).build()).getSequences().getSequencesCount());
    }

    @Test
    void aClientCancelTakesTheRequestOutOfTheQueue() throws Exception {
        BatchStats.Snapshot before = stats.snapshot(SLOW);
        Context.CancellableContext context = Context.current().withCancellation();
        ListenableFuture<DecodeResponse> call = context.call(() -> futures.decode(request(SLOW, "gone", WORDS.get(3)).build()));
        await("the request to queue", () -> stats.snapshot(SLOW).queued() == 1);
        context.cancel(null);
        // (long before the call's 30 s deadline: counted as a cancel, not an expiry)
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> call.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.CANCELLED, Status.fromThrowable(e.getCause()).getCode());
        await("the server to drop it", () -> stats.snapshot(SLOW).cancelled() - before.cancelled() == 1);
        assertEquals(0, stats.snapshot(SLOW).queued());
    }

    @Test
    void decodeStreamAnswersEveryRequestInOrderWithItsId() throws Exception {
        BatchStats.Snapshot before = stats.snapshot(BULK);
        int n = 40;
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DecodeRequest.Builder r = request(BULK, "r" + i, WORDS.get(i % WORDS.size())).setNBest(2);
            if (i == 7) {
                r.setTokens(TokenSequence.newBuilder().addTokens("c").addTokens("z"));
            } else if (i == 13) {
                r.setBeam(Beam.newBuilder().setWidth(1));
            } else if (i == 21) {
                r.setModel(ModelRef.newBuilder().setName("nosuchmodel"));
            }
            requests.add(r.build());
        }
        List<DecodeResponse> responses = StreamExchange.exchange(
                DecoderGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)::decodeStream, requests, 60);
        assertEquals(n, responses.size());
        for (int i = 0; i < n; i++) {
            DecodeResponse r = responses.get(i);
            assertEquals("r" + i, r.getRequestId(), "in request order");
            if (i == 7 || i == 13 || i == 21) {
                assertEquals(DecodeResponse.OutputCase.ERROR, r.getOutputCase(), r.toString());
                assertEquals(i == 21 ? "NOT_FOUND" : "INVALID_ARGUMENT", r.getError().getCode());
                assertTrue(!r.getError().getMessage().isEmpty());
            } else {
                assertEquals(DecodeResponse.OutputCase.SEQUENCES, r.getOutputCase(), r.toString());
                assertEquals(BULK, r.getModelName());
                assertEquals(2, r.getSequences().getSequencesCount());
            }
        }
        assertTrue(responses.get(7).getError().getMessage().contains("'z' at position 1"), responses.get(7).toString());
        assertSameSequences(decoder.decode(requests.get(5).toBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build()),
                responses.get(5));
        BatchStats.Snapshot after = stats.snapshot(BULK);
        assertEquals(n - 3, after.batchedRequests() - before.batchedRequests());
        assertTrue(after.largestBatch() <= STREAM_IN_FLIGHT, "a stream holds at most its in-flight limit: " + after);
    }
}
