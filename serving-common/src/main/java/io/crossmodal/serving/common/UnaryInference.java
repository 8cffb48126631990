package io.crossmodal.serving.common;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The entry point of the unary inference RPCs (Encode, Decode), whose handlers are not {@code @Blocking}: Quarkus'
 * Vert.x gRPC server calls them on the connection's event loop. A request whose model is ready (a followed default,
 * loaded) is admitted right there ({@link InferenceQueue#submitOnEventLoop}); a cheap one that finds its model idle
 * runs there too and is answered before the handler returns, so a lone request costs no thread hop at all
 * ({@code crossmodal.serving.batching.event-loop-when-idle}); any other admitted request is queued for a batch thread.
 * A request that cannot be admitted without blocking (a model to load, a registry read, a large input) is handed to a
 * Quarkus worker thread and goes the way {@code @Blocking} handlers went ({@link ServingCalls#answerAsync}).
 *
 * <p>Deadlines, the compute budget, queue limits and error statuses are the queue's and {@link ServingCalls}' as before;
 * the call's gRPC {@link Context} (deadline, caller identity, metrics record) goes with the request to the worker.
 */
@ApplicationScoped
public class UnaryInference {

    private static final Logger LOG = Logger.getLogger(UnaryInference.class);

    private final InferenceQueue queue;
    private final Vertx vertx;

    public UnaryInference(InferenceQueue queue, Vertx vertx) {
        this.queue = queue;
        this.vertx = vertx;
    }

    /**
     * Answers a unary inference call (never throws). Call it from the service method, on the thread gRPC called it on.
     *
     * @param toResponse the RPC's response from what served the request (the service adds the request id and model)
     */
    public <R> void answer(ServingCalls.Call call, StreamObserver<R> responses, Function<ServingCalls.Served, R> toResponse) {
        long deadline = GrpcDeadlines.deadlineNanos();
        if (!io.vertx.core.Context.isOnEventLoopThread()) {
            // a worker already (a blocking caller): the path of @Blocking handlers, which may run the request here
            ServingCalls.answerAsync(call.rpc(), call.requestId(), responses, () -> queue.submit(call, deadline), toResponse);
            return;
        }
        InferenceQueue.Pending pending;
        try {
            pending = queue.submitOnEventLoop(call, deadline, this::onWorker);
        } catch (Throwable t) {
            responses.onError(GrpcErrors.toStatus(t, call.requestId(), call.rpc()));
            return;
        }
        if (pending != null) {
            ServingCalls.answerWhenDone(call.rpc(), call.requestId(), responses, pending, toResponse);
            return;
        }
        // the cancel handler must be set before this method returns; it reaches the request once it is queued
        CancelRelay relay = new CancelRelay();
        if (responses instanceof ServerCallStreamObserver<R> observer) {
            observer.setOnCancelHandler(relay::cancel);
        }
        Runnable onWorker = Context.current().wrap(() -> {
            InferenceQueue.Pending p;
            try {
                p = InferenceQueue.asUnaryCall(() -> queue.submit(call, deadline));
            } catch (Throwable t) {
                answerFailure(call, responses, t);
                return;
            }
            relay.set(p);
            ServingCalls.whenDone(call.rpc(), call.requestId(), responses, p, toResponse);
        });
        vertx.executeBlocking(() -> {
            onWorker.run();
            return null;
        }, false).onFailure(t -> answerFailure(call, responses, Status.UNAVAILABLE
                .withDescription("the server could not hand the request to a worker thread: " + t).asRuntimeException()));
    }

    /**
     * Runs a task on a Quarkus worker thread with the call's gRPC context (an admitted request for an idle model).
     * If the pool refuses it (only while the server shuts down), the task runs here instead, so the request is still
     * answered (with its result, or with the failure of a model already closed) rather than left without an answer.
     */
    private void onWorker(Runnable task) {
        Runnable withContext = Context.current().wrap(task);
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        vertx.executeBlocking(() -> {
            started.set(true);
            withContext.run();
            return null;
        }, false).onFailure(t -> {
            if (started.get()) {
                LOG.errorf(t, "a request failed on a worker thread");
                return;
            }
            LOG.warnf("could not hand a request to a worker thread (%s): running it on this thread", t.toString());
            withContext.run();
        });
    }

    private static <R> void answerFailure(ServingCalls.Call call, StreamObserver<R> responses, Throwable t) {
        try {
            responses.onError(GrpcErrors.toStatus(t, call.requestId(), call.rpc()));
        } catch (RuntimeException e) {
            // the call was cancelled or closed meanwhile; nobody is listening
            LOG.debugf("%s %s: could not answer: %s", call.rpc(), call.requestId(), e.toString());
        }
    }
}
