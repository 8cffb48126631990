package io.crossmodal.family.vqvae.serving;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServedModel;

/** What the VQ-VAE's encoder and decoder roles share: the loaded model, the role's serving settings, closing. */
abstract class VqvaeServedModel<I, O> implements ServedModel<I, O> {

    protected final VqvaeModel model;
    private final ServingSpec spec;

    VqvaeServedModel(VqvaeModel model, ServingSpec spec) {
        this.model = model;
        this.spec = spec;
    }

    @Override
    public String component() {
        return VqvaeBundleLayout.COMPONENT;
    }

    @Override
    public ServingSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        model.close();
    }
}
