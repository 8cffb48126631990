package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamily;
import java.util.Map;

/**
 * The seq2seq family's serving plug-in: bundles whose manifest names family {@code seq2seq} (or
 * that have a {@code seq2seq} component: older bundles' family field was free text). The Encoder serves the
 * posterior q(y|x) ({@code p2g}: phonemes to spellings), the Decoder the channel p(x|y) ({@code g2p}),
 * unless the bundle's serving settings name another component for the role. A bundle with a
 * pronunciation lexicon ({@code lexicon.dict}) is served lexicon-first unless its serving settings or
 * the request say otherwise ({@link LexiconServing}).
 */
public final class Seq2SeqServingFamily implements ServingFamily {

    public static final String NAME = "seq2seq";

    /** The component each service role serves when the bundle does not say. */
    static final Map<String, String> DEFAULT_COMPONENTS = Map.of("encoder", "p2g", "decoder", "g2p");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean accepts(Manifest manifest) {
        // the family field was free text before families were plug-ins: a seq2seq component says it
        return NAME.equals(manifest.family())
                || manifest.components().values().stream().anyMatch(c -> ComponentSpec.TYPE_SEQ2SEQ.equals(c.type()));
    }

    @Override
    public ServedModel<?, ?> load(Bundle bundle, ServingContext context) {
        ServingSpec spec = bundle.manifest().servingFor(context.role());
        String component = spec.component() != null ? spec.component() : DEFAULT_COMPONENTS.get(context.role());
        if (component == null) {
            throw new IllegalArgumentException("bundle " + bundle.model() + "/" + bundle.version() + " names no component for"
                    + " service role '" + context.role() + "' (serving." + context.role() + ".component)");
        }
        Seq2SeqLimits limits = Seq2SeqLimits.resolve(context, spec);
        // the lexicon first: a bad lexicon file or setting fails the load before any session is opened
        LexiconServing lexicon = LexiconServing.load(bundle, component, spec);
        Seq2SeqPredictor predictor = Seq2SeqPredictor.create(bundle, component, context.sessions(), limits.maxInputLength());
        Seq2SeqPredictor solo = null;
        try {
            if (context.soloSessions() != null) {
                solo = Seq2SeqPredictor.create(bundle, component, context.soloSessions(), limits.maxInputLength());
            }
            return new Seq2SeqServedModel(predictor, solo, bundle, component, spec, limits, lexicon);
        } catch (RuntimeException | Error e) {
            predictor.close();
            if (solo != null) {
                solo.close();
            }
            throw e;
        }
    }
}
