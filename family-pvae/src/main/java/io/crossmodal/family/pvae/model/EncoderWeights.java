package io.crossmodal.family.pvae.model;

/**
 * A unimodal inference network q(z_s, z_m | x_m): a pre-encoder MLP, then one Gaussian head for
 * the shared partition and (unless the model has no style partition, as JMVAE and the VAEs)
 * one for the modality's style partition. Every MLP layer of the pre-encoder is followed by ReLU.
 */
public record EncoderWeights(Normalizer input, Mlp preEncoder, GaussianHead shared, GaussianHead style) {

    public EncoderWeights {
        if (input.size() != preEncoder.in()) {
            throw new IllegalArgumentException("normalizer size " + input.size() + " != encoder input " + preEncoder.in());
        }
        if (shared.mean().inFeatures() != preEncoder.out()) {
            throw new IllegalArgumentException("shared head takes " + shared.mean().inFeatures() + ", pre-encoder gives "
                    + preEncoder.out());
        }
        if (style != null && style.mean().inFeatures() != preEncoder.out()) {
            throw new IllegalArgumentException("style head does not match the pre-encoder");
        }
    }

    public boolean hasStyle() {
        return style != null;
    }
}
