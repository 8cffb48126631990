package io.crossmodal.family.pvae.model;

import io.crossmodal.runtime.onnx.Linear;

/** The two linear heads that give one latent partition's posterior mean and log-variance. */
public record GaussianHead(Linear mean, Linear logVar) {

    public GaussianHead {
        if (mean.outFeatures() != logVar.outFeatures() || mean.inFeatures() != logVar.inFeatures()) {
            throw new IllegalArgumentException("mean and log-variance heads differ in size");
        }
    }

    public int dim() {
        return mean.outFeatures();
    }
}
