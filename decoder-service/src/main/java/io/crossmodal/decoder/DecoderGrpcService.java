package io.crossmodal.decoder;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.RequestError;
import io.crossmodal.serving.common.InferenceQueue;
import io.crossmodal.serving.common.OrderedStream;
import io.crossmodal.serving.common.SafeParsing;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.ServingCalls;
import io.crossmodal.serving.common.StreamLimits;
import io.crossmodal.serving.common.UnaryInference;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * The gRPC Decoder, a thin adapter: it hands each request to the model family of the model it names
 * ({@link InferenceQueue}: the family checks and converts the request, the batcher runs it, the family
 * writes the result into the response) and adds the request id and the model that answered. {@code Decode} is
 * called on the event loop and runs a cheap request for an idle model there, else queues it or hands it to a worker
 * ({@link UnaryInference}); the other RPCs are handled on worker threads. {@code DecodeStream} takes any number of
 * requests and answers them in order, with flow control ({@link OrderedStream}).
 */
@GrpcService
public class DecoderGrpcService implements DecoderGrpc.AsyncService, io.grpc.BindableService {

    private final ServedModels models;
    private final InferenceQueue queue;
    private final StreamLimits streams;
    private final UnaryInference unary;

    public DecoderGrpcService(ServedModels models, InferenceQueue queue, StreamLimits streams, UnaryInference unary) {
        this.models = models;
        this.queue = queue;
        this.streams = streams;
        this.unary = unary;
    }

    /** Not {@code @Blocking}: called on the event loop, it runs a cheap request for an idle model there ({@link UnaryInference}). */
    @Override
    public void decode(DecodeRequest request, StreamObserver<DecodeResponse> responses) {
        unary.answer(call("Decode", request), responses, served -> response(request, served));
    }

    @Override
    @Blocking
    public StreamObserver<DecodeRequest> decodeStream(StreamObserver<DecodeResponse> responses) {
        return OrderedStream.open("DecodeStream", responses, streams, DecodeRequest::getRequestId,
                (request, deadline) -> queue.submit(call("DecodeStream", request), deadline),
                DecoderGrpcService::response,
                (request, status) -> DecodeResponse.newBuilder().setRequestId(request.getRequestId())
                        .setError(RequestError.newBuilder().setCode(status.getCode().name())
                                .setMessage(status.getDescription() == null ? "" : status.getDescription()))
                        .build());
    }

    private static ServingCalls.Call call(String rpc, DecodeRequest request) {
        return new ServingCalls.Call(rpc, request.getRequestId(), request.hasModel(), request.getModel(), request,
                DecodeResponse::newBuilder);
    }

    private static DecodeResponse response(DecodeRequest request, ServingCalls.Served served) {
        return ((DecodeResponse.Builder) served.response()).setRequestId(request.getRequestId())
                .setModelName(served.modelName()).setModelVersion(served.modelVersion()).build();
    }

    /**
     * The generated service definition, except that the streaming RPC gets a message that does not parse as
     * {@code null} ({@link SafeParsing}), so it can end with INVALID_ARGUMENT. (The generated ImplBase makes
     * bindService final, hence AsyncService + BindableService.)
     */
    @Override
    public io.grpc.ServerServiceDefinition bindService() {
        return SafeParsing.wrap(DecoderGrpc.bindService(this));
    }

    @Override
    @Blocking
    public void modelInfo(ModelInfoRequest request, StreamObserver<ModelInfoResponse> responses) {
        ServingCalls.answer("ModelInfo", request.getRequestId(), responses, () -> ServingCalls.modelInfo(models, request));
    }
}
