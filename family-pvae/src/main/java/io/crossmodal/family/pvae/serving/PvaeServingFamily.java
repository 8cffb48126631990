package io.crossmodal.family.pvae.serving;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamily;

/**
 * The partitioned-VAE family's serving plug-in: bundles whose manifest names family {@code pvae} (or
 * that have a {@code pvae} component). The Encoder serves the unimodal encoders (audio, WAV, frames,
 * image to latent partitions), the Decoder the generators (latents to image or frames, and cross-modal
 * generation in one call), both from the component {@link PvaeBundleLayout#COMPONENT} unless the
 * bundle's serving settings name another.
 */
public final class PvaeServingFamily implements ServingFamily {

    @Override
    public String name() {
        return PvaeBundleLayout.FAMILY;
    }

    @Override
    public boolean accepts(Manifest manifest) {
        return PvaeBundleLayout.FAMILY.equals(manifest.family())
                || manifest.components().values().stream().anyMatch(c -> PvaeBundleLayout.TYPE.equals(c.type()));
    }

    @Override
    public ServedModel<?, ?> load(Bundle bundle, ServingContext context) {
        ServingSpec spec = bundle.manifest().servingFor(context.role());
        String component = spec.component() != null ? spec.component() : PvaeBundleLayout.COMPONENT;
        PvaeModel model = new PvaeModel(bundle, component, context.sessions(), PvaeLimits.resolve(context, spec));
        return switch (context.role()) {
            case "encoder" -> new PvaeEncoderModel(model, spec);
            case "decoder" -> new PvaeDecoderModel(model, spec);
            default -> {
                model.close();
                throw new IllegalArgumentException("a PVAE is served by the encoder or the decoder, not by '" + context.role() + "'");
            }
        };
    }
}
