package io.crossmodal.runtime.family;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.Manifest;

/**
 * The serving side of a model family (the plug-in), in the spirit of DJL's {@code TranslatorFactory}:
 * it recognises the bundles it serves and creates, for one service role, the handle that admits,
 * batches, runs and answers requests ({@link ServedModel}). Implementations are found at run time
 * with {@link java.util.ServiceLoader} ({@code META-INF/services/io.crossmodal.runtime.family.ServingFamily}
 * in the family's jar; {@link ServingFamilies}); the services, the batcher and the model cache name
 * no family.
 */
public interface ServingFamily {

    /** The family's name, as in bundle manifests' {@code family} (e.g. {@code seq2seq}). */
    String name();

    /**
     * Whether this family serves bundles with this manifest: normally {@code name().equals(manifest.family())};
     * a family may also recognise bundles written before manifests named their family (by component type).
     */
    boolean accepts(Manifest manifest);

    /**
     * Loads what serves {@code context.role()} ({@code encoder}, {@code decoder}) of the bundle: the
     * component named by the manifest's serving settings for the role, else the family's default for it.
     * Called on a loading thread; the model cache warms the result up ({@link ServedModel#warmUp()})
     * before it serves. A bundle that cannot serve the role is an {@link IllegalArgumentException} or a
     * {@link io.crossmodal.runtime.bundle.BundleCorruptException} saying why.
     */
    ServedModel<?, ?> load(Bundle bundle, ServingContext context);
}
