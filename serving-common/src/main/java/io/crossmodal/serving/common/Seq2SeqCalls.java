package io.crossmodal.serving.common;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.cache.ModelSelector;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.serving.common.metrics.CallModel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * The parts of the seq2seq RPCs that the Encoder and the Decoder share: answering a unary call,
 * request limits, running the served component over one token sequence (with the error messages a
 * caller can act on), and {@code ModelInfo}. A service keeps only what differs: its request and
 * response messages and how it turns a request into search options. Every rejection is an INVALID_ARGUMENT {@link io.grpc.StatusRuntimeException}
 * (see {@link GrpcErrors}); model lookup failures propagate as core's exceptions, for
 * {@link GrpcErrors#toStatus} to map.
 */
public final class Seq2SeqCalls {

    private static final Logger LOG = Logger.getLogger(Seq2SeqCalls.class);

    /** The {@code input} oneof case of a token-sequence request. */
    static final String TOKENS = "TOKENS";

    /** The {@code input} oneof case of a request without input. */
    static final String INPUT_NOT_SET = "INPUT_NOT_SET";

    private Seq2SeqCalls() {
    }

    /**
     * What the shared handling of an Encode / Decode request reads from it.
     *
     * @param rpc the RPC's name, for logs and INTERNAL messages ({@code Encode}, {@code Decode})
     * @param requestId the caller's request id (echoed, logged)
     * @param hasModel whether the request sets {@code model}
     * @param model the requested model
     * @param inputCase the name of the request's {@code input} oneof case ({@code TOKENS}, {@code FRAMES},
     *     {@code INPUT_NOT_SET}, ...)
     * @param tokens the token sequence (empty unless the input case is {@code TOKENS})
     * @param expectedInput what the service takes, for the "input is required" message ({@code a phoneme sequence})
     */
    public record TokenCall(String rpc, String requestId, boolean hasModel, ModelRef model, String inputCase,
            List<String> tokens, String expectedInput) {
    }

    /** One sequence run through a model: the model it resolved to and its hypotheses, best first. */
    public record Transduction(ModelKey key, ScoredSequences sequences) {

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
     * A request that passed every check: its lease on the model version (the caller must close it, or
     * close this), its source ids and its search options. Requests are admitted one by one, so a bad
     * request is rejected with its own message and never joins a batch.
     */
    public record Admitted(ModelCache.Lease<Seq2SeqPredictor> lease, long[] sourceIds, SearchOptions options)
            implements AutoCloseable {

        public ModelKey key() {
            return lease.key();
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    /**
     * Checks a request and takes a lease on its model version. Checks, in this order: a model name;
     * the search options ({@code options} gets the input length and applies the service's limits); an
     * input at all; the tokens against the limits; the model (NOT_FOUND, FAILED_PRECONDITION); the
     * input kind (a seq2seq model takes only tokens, so e.g. frames are rejected naming the model);
     * every symbol (an unknown or reserved one is rejected naming it, its position and the accepted
     * symbols). May load the model (blocking): call it on a worker thread, never on the event loop.
     */
    public static Admitted admit(ServedModels models, TokenCall call, IntFunction<SearchOptions> options) {
        ModelSelector selector = ProtoModels.selector(call.hasModel(), call.model());
        List<String> tokens = call.tokens();
        SearchOptions search = options.apply(tokens.size());
        try {
            search.toSearch();
        } catch (IllegalArgumentException e) {
            throw GrpcErrors.invalid("invalid search options: " + e.getMessage());
        }
        if (INPUT_NOT_SET.equals(call.inputCase())) {
            throw GrpcErrors.invalid("input is required: set tokens (" + call.expectedInput() + ")");
        }
        boolean tokenInput = TOKENS.equals(call.inputCase());
        if (tokenInput) {
            checkTokens(tokens, models.limits());
        }
        ModelCache.Lease<Seq2SeqPredictor> lease = models.cache().acquire(selector);
        try {
            CallModel.resolved(lease.key().model(), lease.key().version());
            if (!tokenInput) {
                throw GrpcErrors.invalid("model " + lease.key() + " (component " + models.component()
                        + ", a seq2seq model) takes a token sequence; " + call.inputCase().toLowerCase(Locale.ROOT)
                        + " input is not supported");
            }
            long[] ids;
            try {
                ids = lease.value().sourceIds(tokens);
            } catch (InvalidInputException e) {
                throw GrpcErrors.invalid(describe(e, lease.bundle(), models.component(), lease.key().toString()));
            }
            return new Admitted(lease, ids, search);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Runs the served component of the requested model over the request's token sequence, on the
     * calling thread and alone (no batching; the RPCs go through {@link InferenceQueue}). The checks
     * are {@link #admit}'s.
     */
    public static Transduction transduce(ServedModels models, TokenCall call, IntFunction<SearchOptions> options) {
        long start = System.nanoTime();
        Transduction result;
        SearchOptions search;
        try (Admitted admitted = admit(models, call, options)) {
            search = admitted.options();
            List<ScoredSequence> hypotheses = admitted.lease().value().transduce(new long[][] {admitted.sourceIds()},
                    List.of(search), RunControl.NONE).get(0);
            result = new Transduction(admitted.key(), ProtoModels.scoredSequences(hypotheses));
        }
        logDone(call, result, search, start);
        return result;
    }

    static void logDone(TokenCall call, Transduction result, SearchOptions search, long startNanos) {
        LOG.debugf("%s %s: %s, %d symbols -> %d sequences (%s) in %.1f ms", call.rpc(), call.requestId(), result.key(),
                call.tokens().size(), result.sequences().getSequencesCount(), search.mode() == SearchOptions.Mode.BEAM
                        ? "beam width " + search.beamWidth() : search.mode().name().toLowerCase(Locale.ROOT),
                (System.nanoTime() - startNanos) / 1e6);
    }

    /**
     * Answers a unary call asynchronously: {@code submit} queues the request (its failure is answered at
     * once), the caller's cancellation is forwarded to the queued request, and the response (or the status
     * its failure maps to) is sent when the batch it joined has run. Never throws. Must run inside the
     * service method (it registers the cancel handler before the method returns).
     */
    public static <R> void answerAsync(String rpc, String requestId, StreamObserver<R> responses,
            Callable<InferenceQueue.Pending> submit, Function<Transduction, R> toResponse) {
        InferenceQueue.Pending pending;
        try {
            pending = submit.call();
        } catch (Throwable t) {
            responses.onError(GrpcErrors.toStatus(t, requestId, rpc));
            return;
        }
        if (responses instanceof ServerCallStreamObserver<R> call) {
            call.setOnCancelHandler(pending::cancel);
        }
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

    /** The ModelInfo answer for the served component of the requested model. */
    public static ModelInfoResponse modelInfo(ServedModels models, ModelInfoRequest request) {
        ModelSelector selector = ProtoModels.selector(request.hasModel(), request.getModel());
        try (ModelCache.Lease<Seq2SeqPredictor> lease = models.cache().acquire(selector)) {
            String model = lease.key().model();
            return ProtoModels.info(request.getRequestId(), lease.bundle(), models.component(),
                    models.catalog().versions(model), models.catalog().aliases(model),
                    models.executionProvider(), models.deviceId());
        }
    }

    /** The requested n_best (1 if unset), between 1 and the server's maximum beam width. */
    public static int nBest(boolean set, int requested, ServingConfig.Serving limits) {
        int nBest = set ? requested : 1;
        if (nBest < 1) {
            throw GrpcErrors.invalid("n_best must be >= 1, got " + nBest);
        }
        if (nBest > limits.maxBeamWidth()) {
            throw GrpcErrors.invalid("n_best must be <= " + limits.maxBeamWidth() + " (the server's maximum), got " + nBest);
        }
        return nBest;
    }

    /**
     * Beam search keeping {@code nBest} hypotheses: the requested width, else the default width raised to
     * n_best; {@code widthField} names the request field in messages ({@code beam_width}, {@code beam.width}).
     */
    public static SearchOptions beam(int nBest, boolean widthSet, int requestedWidth, String widthField,
            ServingConfig.Serving limits) {
        int max = limits.maxBeamWidth();
        int width = widthSet ? requestedWidth : Math.min(max, Math.max(nBest, limits.defaultBeamWidth()));
        if (width < 1) {
            throw GrpcErrors.invalid(widthField + " must be >= 1, got " + width);
        }
        if (width > max) {
            throw GrpcErrors.invalid(widthField + " must be <= " + max + " (the server's maximum), got " + width);
        }
        if (nBest > width) {
            throw GrpcErrors.invalid("n_best (" + nBest + ") must not exceed " + widthField + " (" + width + ")");
        }
        return SearchOptions.beam(width, nBest);
    }

    /** The requested max_length, or min(2 * input length + 10, the server's maximum) when unset. */
    public static int maxLength(boolean set, int requested, int inputLength, ServingConfig.Serving limits) {
        int limit = limits.maxOutputLength();
        if (!set) {
            return Math.max(1, Math.min(limit, 2 * inputLength + 10));
        }
        if (requested < 1) {
            throw GrpcErrors.invalid("max_length must be >= 1, got " + requested);
        }
        if (requested > limit) {
            throw GrpcErrors.invalid("max_length must be <= " + limit + " (the server's maximum), got " + requested);
        }
        return requested;
    }

    /** A non-empty token sequence within the server's input length limit. */
    public static void checkTokens(List<String> tokens, ServingConfig.Serving limits) {
        if (tokens.isEmpty()) {
            throw GrpcErrors.invalid("input tokens must not be empty");
        }
        if (tokens.size() > limits.maxInputLength()) {
            throw GrpcErrors.invalid("input has " + tokens.size() + " symbols; the limit is " + limits.maxInputLength());
        }
    }

    /** "unknown symbol 'X' at position 2; model m/1 accepts phonemes: ..." for an InvalidInputException from the predictor. */
    static String describe(InvalidInputException e, Bundle bundle, String component, String model) {
        if (e.symbol() == null || e.position() < 0) {
            return e.getMessage().replaceFirst("^input \\d+:? ?", "input ");
        }
        String kind = Vocabulary.RESERVED.contains(e.symbol()) ? "reserved symbol" : "unknown symbol";
        String known = "";
        try {
            ComponentSpec spec = bundle.component(component);
            List<String> symbols = bundle.vocabulary(spec.sourceVocabulary());
            List<String> usable = symbols.subList(Math.min(Vocabulary.RESERVED.size(), symbols.size()), symbols.size());
            known = "; model " + model + " accepts " + spec.sourceVocabulary() + ": "
                    + String.join(" ", usable.size() > 100 ? usable.subList(0, 100) : usable)
                    + (usable.size() > 100 ? " ..." : "");
        } catch (RuntimeException ignored) {
            // the message without the vocabulary is still useful
        }
        return kind + " '" + e.symbol() + "' at position " + e.position() + known;
    }
}
