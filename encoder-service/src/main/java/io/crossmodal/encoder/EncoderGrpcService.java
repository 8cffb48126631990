package io.crossmodal.encoder;

import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.proto.encoder.v1.RequestError;
import io.crossmodal.serving.common.GrpcDeadlines;
import io.crossmodal.serving.common.InferenceQueue;
import io.crossmodal.serving.common.OrderedStream;
import io.crossmodal.serving.common.Seq2SeqCalls;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.ServingConfig;
import io.crossmodal.serving.common.ServingLoadConfig;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * The gRPC Encoder: a phoneme sequence in, n-best grapheme sequences out, by beam search over the
 * bundle component {@value EncoderComponent#COMPONENT} (q(y|x)). The checks, the inference and the
 * failure statuses are shared with the Decoder ({@link Seq2SeqCalls}). Requests are checked on worker
 * threads (never the event loop) and queued in the model's dynamic batches ({@link InferenceQueue});
 * the answer is sent when the batch has run. {@code EncodeStream} takes any number of requests and
 * answers them in order, with flow control ({@link OrderedStream}).
 */
@GrpcService
public class EncoderGrpcService extends EncoderGrpc.EncoderImplBase {

    private final ServedModels models;
    private final InferenceQueue queue;
    private final ServingLoadConfig load;

    public EncoderGrpcService(ServedModels models, InferenceQueue queue, ServingLoadConfig load) {
        this.models = models;
        this.queue = queue;
        this.load = load;
    }

    @Override
    @Blocking
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
        Seq2SeqCalls.answerAsync("Encode", request.getRequestId(), responses,
                () -> queue.submit(call("Encode", request), inputLength -> searchOptions(request, inputLength, models.limits()),
                        GrpcDeadlines.deadlineNanos()),
                result -> response(request, result));
    }

    @Override
    @Blocking
    public StreamObserver<EncodeRequest> encodeStream(StreamObserver<EncodeResponse> responses) {
        return OrderedStream.open("EncodeStream", responses, load.stream().maxInFlight(), EncodeRequest::getRequestId,
                (request, deadline) -> queue.submit(call("EncodeStream", request),
                        inputLength -> searchOptions(request, inputLength, models.limits()), deadline),
                EncoderGrpcService::response,
                (request, status) -> EncodeResponse.newBuilder().setRequestId(request.getRequestId())
                        .setError(RequestError.newBuilder().setCode(status.getCode().name())
                                .setMessage(status.getDescription() == null ? "" : status.getDescription()))
                        .build());
    }

    private static Seq2SeqCalls.TokenCall call(String rpc, EncodeRequest request) {
        return new Seq2SeqCalls.TokenCall(rpc, request.getRequestId(), request.hasModel(), request.getModel(),
                request.getInputCase().name(), request.getTokens().getTokensList(), "a phoneme sequence");
    }

    private static EncodeResponse response(EncodeRequest request, Seq2SeqCalls.Transduction result) {
        return EncodeResponse.newBuilder().setRequestId(request.getRequestId()).setModelName(result.modelName())
                .setModelVersion(result.modelVersion()).setHypotheses(result.sequences()).build();
    }

    @Override
    @Blocking
    public void modelInfo(ModelInfoRequest request, StreamObserver<ModelInfoResponse> responses) {
        Seq2SeqCalls.answer("ModelInfo", request.getRequestId(), responses, () -> Seq2SeqCalls.modelInfo(models, request));
    }

    /** Beam search options from the request, with defaults and limits applied. */
    static SearchOptions searchOptions(EncodeRequest request, int inputLength, ServingConfig.Serving limits) {
        int nBest = Seq2SeqCalls.nBest(request.hasNBest(), request.getNBest(), limits);
        return Seq2SeqCalls.beam(nBest, request.hasBeamWidth(), request.getBeamWidth(), "beam_width", limits)
                .withMaxLength(Seq2SeqCalls.maxLength(request.hasMaxLength(), request.getMaxLength(), inputLength, limits));
    }
}
