package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Order, flow control and cancellation of OrderedStream, over a fake call. */
class OrderedStreamTest {

    /** A server call: records what is sent and requested; readiness is switched by the test. */
    static final class FakeCall extends ServerCallStreamObserver<String> {
        final List<String> sent = new ArrayList<>();
        int requested;
        boolean autoRequestDisabled;
        boolean ready = true;
        boolean completed;
        Runnable onReady;
        Runnable onCancel;

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable r) {
            onCancel = r;
        }

        @Override
        public void setCompression(String c) {
        }

        @Override
        public void disableAutoRequest() {
            autoRequestDisabled = true;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable r) {
            onReady = r;
        }

        @Override
        public void disableAutoInboundFlowControl() {
            autoRequestDisabled = true;
        }

        @Override
        public void request(int n) {
            requested += n;
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(String value) {
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {
            sent.add("error:" + t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    final Map<String, CompletableFuture<ServingCalls.Served>> results = new HashMap<>();
    final AtomicInteger cancelled = new AtomicInteger();

    StreamObserver<String> open(FakeCall call, int maxInFlight) {
        return OrderedStream.open("TestStream", call, maxInFlight, id -> id, (id, deadline) -> {
            if (id.startsWith("bad")) {
                throw GrpcErrors.invalid("unknown symbol in " + id);
            }
            CompletableFuture<ServingCalls.Served> f = new CompletableFuture<>();
            results.put(id, f);
            return new InferenceQueue.Pending(f, cancelled::incrementAndGet);
        }, (id, t) -> id + "=" + t.modelVersion(), (id, status) -> id + "!" + status.getCode());
    }

    static ServingCalls.Served result(int version) {
        return new ServingCalls.Served(new ModelKey("m", version), ScoredSequences.newBuilder());
    }

    @Test
    void responsesGoOutInRequestOrderWithFailuresInPlace() {
        FakeCall call = new FakeCall();
        StreamObserver<String> in = open(call, 8);
        assertTrue(call.autoRequestDisabled);
        assertEquals(8, call.requested);
        in.onNext("a");
        in.onNext("bad1");
        in.onNext("b");
        in.onNext("c");
        results.get("c").complete(result(3));
        assertEquals(List.of(), call.sent, "c waits for a and bad1 and b");
        results.get("a").complete(result(1));
        assertEquals(List.of("a=1", "bad1!INVALID_ARGUMENT"), call.sent);
        in.onCompleted();
        assertFalse(call.completed, "b is still running");
        results.get("b").completeExceptionally(Status.DEADLINE_EXCEEDED.asRuntimeException());
        assertEquals(List.of("a=1", "bad1!INVALID_ARGUMENT", "b!DEADLINE_EXCEEDED", "c=3"), call.sent);
        assertTrue(call.completed);
    }

    @Test
    void aSlowReaderStopsTheSendingAndTheReading() {
        FakeCall call = new FakeCall();
        StreamObserver<String> in = open(call, 2);
        assertEquals(2, call.requested);
        in.onNext("a");
        in.onNext("b");
        call.ready = false;
        results.get("a").complete(result(1));
        results.get("b").complete(result(1));
        assertEquals(List.of(), call.sent, "the transport is not ready");
        assertEquals(2, call.requested, "nothing sent, nothing more read");
        call.ready = true;
        call.onReady.run();
        assertEquals(List.of("a=1", "b=1"), call.sent);
        assertEquals(4, call.requested, "one more request per response sent");
    }

    @Test
    void cancellingTheCallCancelsWhatIsStillQueued() {
        FakeCall call = new FakeCall();
        StreamObserver<String> in = open(call, 4);
        in.onNext("a");
        in.onNext("b");
        in.onNext("c");
        results.get("a").complete(result(1));
        call.onCancel.run();
        assertEquals(2, cancelled.get(), "b and c");
        results.get("b").complete(result(1));
        in.onNext("d");
        assertEquals(List.of("a=1"), call.sent);
        assertEquals(2, cancelled.get());
        assertFalse(call.completed);
    }
}
