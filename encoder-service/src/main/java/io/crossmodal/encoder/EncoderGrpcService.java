package io.crossmodal.encoder;

import io.crossmodal.core.search.SearchOptions;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.Seq2SeqCalls;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.ServingConfig;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * The gRPC Encoder: a phoneme sequence in, n-best grapheme sequences out, by beam search over the
 * bundle component {@value EncoderComponent#COMPONENT} (q(y|x)). The checks, the inference and the
 * failure statuses are shared with the Decoder ({@link Seq2SeqCalls}); inference runs on worker
 * threads, never on the event loop.
 */
@GrpcService
public class EncoderGrpcService extends EncoderGrpc.EncoderImplBase {

    private final ServedModels models;

    public EncoderGrpcService(ServedModels models) {
        this.models = models;
    }

    @Override
    @Blocking
    public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
        Seq2SeqCalls.answer("Encode", request.getRequestId(), responses, () -> {
            Seq2SeqCalls.Transduction result = Seq2SeqCalls.transduce(models, new Seq2SeqCalls.TokenCall("Encode",
                    request.getRequestId(), request.hasModel(), request.getModel(), request.getInputCase().name(),
                    request.getTokens().getTokensList(), "a phoneme sequence"),
                    inputLength -> searchOptions(request, inputLength, models.limits()));
            return EncodeResponse.newBuilder().setRequestId(request.getRequestId()).setModelName(result.modelName())
                    .setModelVersion(result.modelVersion()).setHypotheses(result.sequences()).build();
        });
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
