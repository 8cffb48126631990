package io.crossmodal.family.pvae.onnx;

/**
 * Posterior parameters from one unimodal encoder for a batch: rows are examples. The style
 * arrays are null for a model without a style partition.
 */
public record Latents(float[][] sharedMean, float[][] sharedLogVar, float[][] styleMean, float[][] styleLogVar) {

    public int size() {
        return sharedMean.length;
    }

    public boolean hasStyle() {
        return styleMean != null;
    }
}
