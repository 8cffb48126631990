package io.crossmodal.serving.common.testing;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One bidirectional stream call of a test: sends every request, half-closes, and waits (a latch, with a generous
 * limit that only guards against a hang) for the server to complete the stream; asserts it completed without
 * error and returns the responses in the order they came.
 */
public final class StreamExchange {

    private StreamExchange() {
    }

    /** {@code open} starts the call (e.g. {@code stub::decodeStream}) with the observer of its responses. */
    public static <Q, A> List<A> exchange(Function<StreamObserver<A>, StreamObserver<Q>> open, List<Q> requests,
            long timeoutSeconds) throws InterruptedException {
        List<A> responses = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        StreamObserver<Q> out = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(A response) {
                responses.add(response);
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        requests.forEach(out::onNext);
        out.onCompleted();
        assertTrue(done.await(timeoutSeconds, TimeUnit.SECONDS), "the stream did not complete in " + timeoutSeconds + " s");
        assertNull(failure.get(), () -> "the stream failed: " + failure.get());
        return List.copyOf(responses);
    }
}
