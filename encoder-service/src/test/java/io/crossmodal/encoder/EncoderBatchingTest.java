package io.crossmodal.encoder;

import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.BULK;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.MERGE;
import static io.crossmodal.serving.common.testing.LoadTestingRegistryResource.STREAM_IN_FLIGHT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dynamic batching and the EncodeStream RPC over a real server ({@link LoadTestingRegistryResource}). */
@QuarkusTest
@WithTestResource(LoadTestingRegistryResource.class)
class EncoderBatchingTest {

    static final List<List<String>> PHONES = List.of(List.of("K", "AE", "T"), List.of("S", "EH"), List.of("T", "AE", "K", "S"),
            List.of("AE"), List.of("EH", "S", "T"));

    @TestHTTPResource("/")
    URL base;

    @Inject
    BatchStats stats;

    ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    static EncodeRequest request(String model, String id, List<String> phonemes, int nBest) {
        return EncodeRequest.newBuilder().setRequestId(id).setModel(ModelRef.newBuilder().setName(model))
                .setTokens(TokenSequence.newBuilder().addAllTokens(phonemes)).setNBest(nBest).build();
    }

    @Test
    void concurrentEncodesShareBatchesAndGetTheirOwnAnswers() throws Exception {
        EncoderGrpc.EncoderFutureStub futures = EncoderGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        EncoderGrpc.EncoderBlockingStub blocking = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        BatchStats.Snapshot before = stats.snapshot(MERGE);
        List<EncodeRequest> requests = new ArrayList<>();
        List<ListenableFuture<EncodeResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(request(MERGE, "e" + i, PHONES.get(i % PHONES.size()), 1 + i % 3));
            answers.add(futures.encode(requests.get(i)));
        }
        for (int i = 0; i < requests.size(); i++) {
            EncodeResponse batched = answers.get(i).get(30, TimeUnit.SECONDS);
            EncodeResponse alone = blocking.encode(requests.get(i).toBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build());
            assertEquals("e" + i, batched.getRequestId());
            assertEquals(alone.getHypotheses().getSequencesCount(), batched.getHypotheses().getSequencesCount());
            for (int k = 0; k < alone.getHypotheses().getSequencesCount(); k++) {
                assertEquals(alone.getHypotheses().getSequences(k).getTokensList(), batched.getHypotheses().getSequences(k).getTokensList());
                assertEquals(alone.getHypotheses().getSequences(k).getLogProb(), batched.getHypotheses().getSequences(k).getLogProb(), 1e-4);
            }
        }
        BatchStats.Snapshot after = stats.snapshot(MERGE);
        assertEquals(10, after.batchedRequests() - before.batchedRequests());
        assertTrue(after.batches() - before.batches() <= 3 && after.largestBatch() >= 5, after.toString());
    }

    @Test
    void encodeStreamAnswersEveryRequestInOrderWithItsId() throws Exception {
        int n = 25;
        List<EncodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(i == 4 ? request(BULK, "s" + i, List.of("K", "AE1"), 1) : request(BULK, "s" + i, PHONES.get(i % PHONES.size()), 2));
        }
        List<EncodeResponse> responses = StreamExchange.exchange(
                EncoderGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)::encodeStream, requests, 60);
        assertEquals(n, responses.size());
        for (int i = 0; i < n; i++) {
            EncodeResponse r = responses.get(i);
            assertEquals("s" + i, r.getRequestId());
            if (i == 4) {
                assertEquals("INVALID_ARGUMENT", r.getError().getCode());
                assertTrue(r.getError().getMessage().contains("'AE1' at position 1"), r.getError().getMessage());
            } else {
                assertEquals(2, r.getHypotheses().getSequencesCount(), r.toString());
                assertEquals("1", r.getModelVersion());
            }
        }
        assertTrue(stats.snapshot(BULK).largestBatch() <= STREAM_IN_FLIGHT, stats.snapshot(BULK).toString());
    }
}
