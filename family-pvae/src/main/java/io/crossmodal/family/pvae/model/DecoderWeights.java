package io.crossmodal.family.pvae.model;

/**
 * A generative network p(x_m | z_s, z_m): an MLP over {@code [z_s, z_m]} (or {@code z_s} alone
 * when the model has no style partition) giving the Gaussian mean. Images pass through a
 * sigmoid (grey levels in [0, 1]); speech frames are un-standardised with {@code output}.
 */
public record DecoderWeights(int sharedDim, int styleDim, Mlp net, boolean sigmoid, Normalizer output) {

    public DecoderWeights {
        if (net.in() != sharedDim + styleDim) {
            throw new IllegalArgumentException("decoder takes " + net.in() + " inputs, latents give " + (sharedDim + styleDim));
        }
        if (output != null && output.size() != net.out()) {
            throw new IllegalArgumentException("output normalizer size does not match the decoder");
        }
    }
}
