package io.crossmodal.decoder;

import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.RequestError;
import io.crossmodal.serving.common.GrpcDeadlines;
import io.crossmodal.serving.common.GrpcErrors;
import io.crossmodal.serving.common.InferenceQueue;
import io.crossmodal.serving.common.OrderedStream;
import io.crossmodal.serving.common.Seq2SeqCalls;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.ServingConfig;
import io.crossmodal.serving.common.ServingLoadConfig;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The gRPC Decoder: a grapheme sequence in, n-best phoneme sequences out (greedy, beam search or
 * sampling) over the bundle component {@value DecoderComponent#COMPONENT} (p(x|y)). The checks, the
 * inference and the failure statuses are shared with the Encoder ({@link Seq2SeqCalls}). Requests are
 * checked on worker threads (never the event loop) and queued in the model's dynamic batches
 * ({@link InferenceQueue}); the answer is sent when the batch has run. {@code DecodeStream} takes any
 * number of requests and answers them in order, with flow control ({@link OrderedStream}).
 */
@GrpcService
public class DecoderGrpcService extends DecoderGrpc.DecoderImplBase {

    /** Largest sampling temperature accepted. */
    static final double MAX_TEMPERATURE = 100.0;

    private final ServedModels models;
    private final InferenceQueue queue;
    private final ServingLoadConfig load;

    public DecoderGrpcService(ServedModels models, InferenceQueue queue, ServingLoadConfig load) {
        this.models = models;
        this.queue = queue;
        this.load = load;
    }

    @Override
    @Blocking
    public void decode(DecodeRequest request, StreamObserver<DecodeResponse> responses) {
        Seq2SeqCalls.answerAsync("Decode", request.getRequestId(), responses,
                () -> queue.submit(call("Decode", request), inputLength -> searchOptions(request, inputLength, models.limits()),
                        GrpcDeadlines.deadlineNanos()),
                result -> response(request, result));
    }

    @Override
    @Blocking
    public StreamObserver<DecodeRequest> decodeStream(StreamObserver<DecodeResponse> responses) {
        return OrderedStream.open("DecodeStream", responses, load.stream().maxInFlight(), DecodeRequest::getRequestId,
                (request, deadline) -> queue.submit(call("DecodeStream", request),
                        inputLength -> searchOptions(request, inputLength, models.limits()), deadline),
                DecoderGrpcService::response,
                (request, status) -> DecodeResponse.newBuilder().setRequestId(request.getRequestId())
                        .setError(RequestError.newBuilder().setCode(status.getCode().name())
                                .setMessage(status.getDescription() == null ? "" : status.getDescription()))
                        .build());
    }

    private static Seq2SeqCalls.TokenCall call(String rpc, DecodeRequest request) {
        return new Seq2SeqCalls.TokenCall(rpc, request.getRequestId(), request.hasModel(), request.getModel(),
                request.getInputCase().name(), request.getTokens().getTokensList(), "a grapheme sequence");
    }

    private static DecodeResponse response(DecodeRequest request, Seq2SeqCalls.Transduction result) {
        return DecodeResponse.newBuilder().setRequestId(request.getRequestId()).setModelName(result.modelName())
                .setModelVersion(result.modelVersion()).setSequences(result.sequences()).build();
    }

    @Override
    @Blocking
    public void modelInfo(ModelInfoRequest request, StreamObserver<ModelInfoResponse> responses) {
        Seq2SeqCalls.answer("ModelInfo", request.getRequestId(), responses, () -> Seq2SeqCalls.modelInfo(models, request));
    }

    /** Search options for the request's strategy, with defaults and limits applied. */
    static SearchOptions searchOptions(DecodeRequest request, int inputLength, ServingConfig.Serving limits) {
        int nBest = Seq2SeqCalls.nBest(request.hasNBest(), request.getNBest(), limits);
        int maxLength = Seq2SeqCalls.maxLength(request.hasMaxLength(), request.getMaxLength(), inputLength, limits);
        SearchOptions options = switch (request.getStrategyCase()) {
            case GREEDY -> {
                if (nBest != 1) {
                    throw GrpcErrors.invalid("greedy search yields one hypothesis; n_best must be 1, got " + nBest
                            + " (use beam or sampling for more)");
                }
                yield SearchOptions.greedy();
            }
            case SAMPLING -> {
                double temperature = request.getSampling().hasTemperature() ? request.getSampling().getTemperature() : 1.0;
                if (!(temperature > 0) || temperature > MAX_TEMPERATURE || Double.isNaN(temperature)) {
                    throw GrpcErrors.invalid("sampling.temperature must be > 0 and <= " + MAX_TEMPERATURE + ", got "
                            + temperature);
                }
                long seed = request.getSampling().hasSeed() ? request.getSampling().getSeed()
                        : ThreadLocalRandom.current().nextLong();
                yield SearchOptions.sampling(nBest, temperature, seed);
            }
            case BEAM, STRATEGY_NOT_SET -> Seq2SeqCalls.beam(nBest, request.hasBeam() && request.getBeam().hasWidth(),
                    request.getBeam().getWidth(), "beam.width", limits);
        };
        return options.withMaxLength(maxLength);
    }
}
