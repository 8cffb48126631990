package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seq2seq family's request mapping: search options from an {@code EncodeRequest} (beam search)
 * or a {@code DecodeRequest} (greedy, beam or sampling), with the model's limits applied. Every
 * rejection is an {@link InvalidInputException} naming the field and the limit.
 */
public final class Seq2SeqRequests {

    /** Largest sampling temperature accepted. */
    public static final double MAX_TEMPERATURE = 100.0;

    private Seq2SeqRequests() {
    }

    /** Beam search options of an Encode request. */
    public static SearchOptions options(EncodeRequest request, int inputLength, Seq2SeqLimits limits) {
        int nBest = nBest(request.hasNBest(), request.getNBest(), limits);
        return beam(nBest, request.hasBeamWidth(), request.getBeamWidth(), "beam_width", limits)
                .withMaxLength(maxLength(request.hasMaxLength(), request.getMaxLength(), inputLength, limits));
    }

    /** Search options for a Decode request's strategy. */
    public static SearchOptions options(DecodeRequest request, int inputLength, Seq2SeqLimits limits) {
        int nBest = nBest(request.hasNBest(), request.getNBest(), limits);
        int maxLength = maxLength(request.hasMaxLength(), request.getMaxLength(), inputLength, limits);
        SearchOptions options = switch (request.getStrategyCase()) {
            case GREEDY -> {
                if (nBest != 1) {
                    throw new InvalidInputException("greedy search yields one hypothesis; n_best must be 1, got " + nBest
                            + " (use beam or sampling for more)");
                }
                yield SearchOptions.greedy();
            }
            case SAMPLING -> {
                double temperature = request.getSampling().hasTemperature() ? request.getSampling().getTemperature() : 1.0;
                if (!(temperature > 0) || temperature > MAX_TEMPERATURE || Double.isNaN(temperature)) {
                    throw new InvalidInputException("sampling.temperature must be > 0 and <= " + MAX_TEMPERATURE + ", got "
                            + temperature);
                }
                long seed = request.getSampling().hasSeed() ? request.getSampling().getSeed()
                        : ThreadLocalRandom.current().nextLong();
                yield SearchOptions.sampling(nBest, temperature, seed);
            }
            case BEAM, STRATEGY_NOT_SET -> beam(nBest, request.hasBeam() && request.getBeam().hasWidth(),
                    request.getBeam().getWidth(), "beam.width", limits);
        };
        return options.withMaxLength(maxLength);
    }

    /** The requested n_best (1 if unset), between 1 and the maximum beam width. */
    public static int nBest(boolean set, int requested, Seq2SeqLimits limits) {
        int nBest = set ? requested : 1;
        if (nBest < 1) {
            throw new InvalidInputException("n_best must be >= 1, got " + nBest);
        }
        if (nBest > limits.maxBeamWidth()) {
            throw new InvalidInputException("n_best must be <= " + limits.maxBeamWidth() + " (the server's maximum), got " + nBest);
        }
        return nBest;
    }

    /**
     * Beam search keeping {@code nBest} hypotheses: the requested width, else the default width raised to
     * n_best; {@code widthField} names the request field in messages ({@code beam_width}, {@code beam.width}).
     */
    public static SearchOptions beam(int nBest, boolean widthSet, int requestedWidth, String widthField, Seq2SeqLimits limits) {
        int max = limits.maxBeamWidth();
        int width = widthSet ? requestedWidth : Math.min(max, Math.max(nBest, limits.defaultBeamWidth()));
        if (width < 1) {
            throw new InvalidInputException(widthField + " must be >= 1, got " + width);
        }
        if (width > max) {
            throw new InvalidInputException(widthField + " must be <= " + max + " (the server's maximum), got " + width);
        }
        if (nBest > width) {
            throw new InvalidInputException("n_best (" + nBest + ") must not exceed " + widthField + " (" + width + ")");
        }
        return SearchOptions.beam(width, nBest);
    }

    /** The requested max_length, or min(2 * input length + 10, the maximum) when unset. */
    public static int maxLength(boolean set, int requested, int inputLength, Seq2SeqLimits limits) {
        int limit = limits.maxOutputLength();
        if (!set) {
            return Math.max(1, Math.min(limit, 2 * inputLength + 10));
        }
        if (requested < 1) {
            throw new InvalidInputException("max_length must be >= 1, got " + requested);
        }
        if (requested > limit) {
            throw new InvalidInputException("max_length must be <= " + limit + " (the server's maximum), got " + requested);
        }
        return requested;
    }

    /** A non-empty token sequence within the input length limit. */
    public static void checkTokens(List<String> tokens, Seq2SeqLimits limits) {
        if (tokens.isEmpty()) {
            throw new InvalidInputException("input tokens must not be empty");
        }
        if (tokens.size() > limits.maxInputLength()) {
            throw new InvalidInputException("input has " + tokens.size() + " symbols; the limit is " + limits.maxInputLength());
        }
    }
}
