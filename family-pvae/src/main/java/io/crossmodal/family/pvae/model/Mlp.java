package io.crossmodal.family.pvae.model;

import io.crossmodal.runtime.onnx.Linear;
import java.util.List;

/**
 * A multi-layer perceptron: {@code Linear -> ReLU -> ... -> Linear}, with a ReLU after every
 * layer but the last. {@link #apply} is the plain-Java reference used by tests.
 */
public record Mlp(List<Linear> layers) {

    public Mlp {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an MLP needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inFeatures() != layers.get(i - 1).outFeatures()) {
                throw new IllegalArgumentException("layer " + i + " takes " + layers.get(i).inFeatures()
                        + " inputs but layer " + (i - 1) + " gives " + layers.get(i - 1).outFeatures());
            }
        }
    }

    public int in() {
        return layers.get(0).inFeatures();
    }

    public int out() {
        return layers.get(layers.size() - 1).outFeatures();
    }

    public float[] apply(float[] x) {
        float[] h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).apply(h);
            if (i < layers.size() - 1) {
                for (int j = 0; j < h.length; j++) {
                    h[j] = Math.max(0f, h[j]);
                }
            }
        }
        return h;
    }
}
