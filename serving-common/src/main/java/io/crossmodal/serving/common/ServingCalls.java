package io.crossmodal.serving.common;

import com.google.protobuf.Message;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.cache.ModelSelector;
import io.crossmodal.runtime.family.ServedModel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What every inference RPC shares, whatever the model family: answering a unary call (now or when
 * its batch has run) and {@code ModelInfo}. A service keeps only what is its own: its proto messages.
 * Failures map to statuses in {@link GrpcErrors#toStatus} (a family's
 * {@link io.crossmodal.runtime.family.InvalidInputException} is INVALID_ARGUMENT).
 */
public final class ServingCalls {

    private static final Logger LOG = Logger.getLogger(ServingCalls.class);

    private ServingCalls() {
    }

    /**
     * One inference request as a service hands it over: the queue resolves the model it names and
     * gives the proto request to that model's family ({@link ServedModel#admit}).
     *
     * @param rpc the RPC's name, for logs and INTERNAL messages ({@code Encode}, {@code DecodeStream})
     * @param requestId the caller's request id (echoed, logged)
     * @param hasModel whether the request sets {@code model}
     * @param model the requested model
     * @param request the request message, as received
     * @param response a new response builder of the RPC's type (the family writes its result into it)
     */
    public record Call(String rpc, String requestId, boolean hasModel, ModelRef model, Message request,
            Supplier<? extends Message.Builder> response) {
    }

    /**
     * One request's answer: the model version that served it and the response builder with the
     * family's result written in (the service adds the request id and the model).
     */
    public record Served(ModelKey key, Message.Builder response) {

        public String modelName() {
            return key.model();
        }

        public String modelVersion() {
            return Integer.toString(key.version());
        }
    }

    /**
     * Answers a unary call with what {@code call} returns, or with the status its failure maps to
     * ({@link GrpcErrors#toStatus}); never throws.
     */
    public static <R> void answer(String rpc, String requestId, StreamObserver<R> responses, Callable<R> call) {
        try {
            R response = call.call();
            responses.onNext(response);
            responses.onCompleted();
        } catch (Throwable t) {
            responses.onError(GrpcErrors.toStatus(t, requestId, rpc));
        }
    }

    /**
     * Answers a unary call asynchronously: {@code submit} queues the request (its failure is answered at
     * once), the caller's cancellation is forwarded to the queued request, and the response (or the status
     * its failure maps to) is sent when the batch it joined has run. Never throws. A request that finds its model
     * idle may run on this thread inside {@code submit} ({@code crossmodal.serving.batching.inline-when-idle}) and is
     * then answered from it, so this must be a worker thread, never an event loop (a handler on an event loop uses
     * {@link UnaryInference}). Must run inside the service method (it registers the cancel handler before the method
     * returns).
     */
    public static <R> void answerAsync(String rpc, String requestId, StreamObserver<R> responses,
            Callable<InferenceQueue.Pending> submit, Function<Served, R> toResponse) {
        InferenceQueue.Pending pending;
        try {
            pending = InferenceQueue.asUnaryCall(submit);
        } catch (Throwable t) {
            responses.onError(GrpcErrors.toStatus(t, requestId, rpc));
            return;
        }
        answerWhenDone(rpc, requestId, responses, pending, toResponse);
    }

    /**
     * Answers a unary call whose request is submitted: forwards the caller's cancellation to it (so this must run inside
     * the service method) and sends its response, or its failure's status, when it is done.
     */
    static <R> void answerWhenDone(String rpc, String requestId, StreamObserver<R> responses, InferenceQueue.Pending pending,
            Function<Served, R> toResponse) {
        if (responses instanceof ServerCallStreamObserver<R> call) {
            call.setOnCancelHandler(pending::cancel);
        }
        whenDone(rpc, requestId, responses, pending, toResponse);
    }

    /** Sends the submitted request's response, or its failure's status, when it is done (at once if it is). */
    static <R> void whenDone(String rpc, String requestId, StreamObserver<R> responses, InferenceQueue.Pending pending,
            Function<Served, R> toResponse) {
        pending.result().whenComplete((result, failure) -> {
            try {
                if (failure != null) {
                    responses.onError(GrpcErrors.toStatus(failure, requestId, rpc));
                } else {
                    responses.onNext(toResponse.apply(result));
                    responses.onCompleted();
                }
            } catch (RuntimeException e) {
                // the call was cancelled or closed meanwhile; nobody is listening
                LOG.debugf("%s %s: could not answer: %s", rpc, requestId, e.toString());
            }
        });
    }

    /** The ModelInfo answer for the requested model, as this service serves it. */
    public static ModelInfoResponse modelInfo(ServedModels models, ModelInfoRequest request) {
        ModelSelector selector = ProtoModels.selector(request.hasModel(), request.getModel());
        try (ModelCache.Lease<ServedModel<?, ?>> lease = models.cache().acquire(selector)) {
            String model = lease.key().model();
            return ProtoModels.info(request.getRequestId(), lease.bundle(), lease.value().component(),
                    models.catalog().versions(model), models.catalog().aliases(model),
                    models.executionProvider(), models.deviceId());
        }
    }
}
