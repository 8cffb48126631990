package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServingContext;

/**
 * The request limits and decoding defaults one seq2seq model is served with, resolved from the
 * bundle's serving settings and the service's: a limit is the bundle's value capped by the
 * service's ({@code crossmodal.serving.max-*}: the operator's ceiling), the default beam width the
 * bundle's {@code decoding.beamWidth} else the service's, capped by the maximum beam width.
 *
 * @param maxInputLength   longest input sequence, in symbols
 * @param maxOutputLength  largest max_length, and the cap of the default max length
 * @param maxBeamWidth     largest beam width, n_best and number of samples
 * @param defaultBeamWidth beam width when a request sets none (raised to n_best)
 */
public record Seq2SeqLimits(int maxInputLength, int maxOutputLength, int maxBeamWidth, int defaultBeamWidth) {

    public static final String MAX_INPUT_LENGTH = "maxInputLength";
    public static final String MAX_OUTPUT_LENGTH = "maxOutputLength";
    public static final String MAX_BEAM_WIDTH = "maxBeamWidth";
    public static final String DEFAULT_BEAM_WIDTH = "defaultBeamWidth";
    /** The bundle's decoding default ({@code serving.<role>.decoding.beamWidth}). */
    public static final String BEAM_WIDTH = "beamWidth";

    public Seq2SeqLimits {
        if (maxInputLength < 1 || maxOutputLength < 1 || maxBeamWidth < 1 || defaultBeamWidth < 1) {
            throw new IllegalArgumentException("seq2seq serving limits must be >= 1, got " + this);
        }
    }

    /** The defaults of {@code crossmodal.serving.*} (application.properties of the services). */
    public static final Seq2SeqLimits DEFAULTS = new Seq2SeqLimits(Seq2SeqPredictor.DEFAULT_MAX_INPUT_LENGTH, 200, 64, 4);

    public static Seq2SeqLimits resolve(ServingContext context, ServingSpec spec) {
        int maxIn = capped(spec, MAX_INPUT_LENGTH, context.intSetting(MAX_INPUT_LENGTH, DEFAULTS.maxInputLength()));
        int maxOut = capped(spec, MAX_OUTPUT_LENGTH, context.intSetting(MAX_OUTPUT_LENGTH, DEFAULTS.maxOutputLength()));
        int maxBeam = capped(spec, MAX_BEAM_WIDTH, context.intSetting(MAX_BEAM_WIDTH, DEFAULTS.maxBeamWidth()));
        Object beam = spec.decoding().get(BEAM_WIDTH);
        int dflt = beam instanceof Number n ? n.intValue() : context.intSetting(DEFAULT_BEAM_WIDTH, DEFAULTS.defaultBeamWidth());
        return new Seq2SeqLimits(maxIn, maxOut, maxBeam, Math.max(1, Math.min(dflt, maxBeam)));
    }

    private static int capped(ServingSpec spec, String name, int service) {
        Number own = spec.limits().get(name);
        return own == null ? service : Math.max(1, Math.min(own.intValue(), service));
    }
}
