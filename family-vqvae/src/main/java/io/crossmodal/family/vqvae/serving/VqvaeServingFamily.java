package io.crossmodal.family.vqvae.serving;

import io.crossmodal.family.pvae.serving.PvaeLimits;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamily;

/**
 * The VQ-VAE family's serving plug-in: bundles whose manifest names family {@code vqvae} (or that
 * have a {@code vqvae} component). The Encoder turns speech into unit sequences, the Decoder units
 * (or a recording: voice conversion) into speech frames and WAV in a chosen voice. Input limits are
 * the speech family's ({@link PvaeLimits}: the same audio and WAV settings, the same front end).
 */
public final class VqvaeServingFamily implements ServingFamily {

    @Override
    public String name() {
        return VqvaeBundleLayout.FAMILY;
    }

    @Override
    public boolean accepts(Manifest manifest) {
        return VqvaeBundleLayout.FAMILY.equals(manifest.family())
                || manifest.components().values().stream().anyMatch(c -> VqvaeBundleLayout.TYPE.equals(c.type()));
    }

    @Override
    public ServedModel<?, ?> load(Bundle bundle, ServingContext context) {
        ServingSpec spec = bundle.manifest().servingFor(context.role());
        String component = spec.component() != null ? spec.component() : VqvaeBundleLayout.COMPONENT;
        VqvaeModel model = new VqvaeModel(bundle, component, context.sessions(), PvaeLimits.resolve(context, spec));
        return switch (context.role()) {
            case "encoder" -> new VqvaeEncoderModel(model, spec);
            case "decoder" -> new VqvaeDecoderModel(model, spec);
            default -> {
                model.close();
                throw new IllegalArgumentException("a VQ-VAE is served by the encoder or the decoder, not by '" + context.role() + "'");
            }
        };
    }
}
