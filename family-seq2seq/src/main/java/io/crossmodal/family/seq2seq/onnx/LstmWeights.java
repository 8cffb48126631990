package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;

import java.util.Objects;
import java.util.Random;

/**
 * One LSTM direction in PyTorch layout: {@code wIh} [4H, I], {@code wHh} [4H, H], {@code bIh} [4H],
 * {@code bHh} [4H], gate blocks in PyTorch order (i, f, g, o). The ONNX builders reorder the blocks;
 * this record never does, so it always matches what the trainer exported.
 */
public record LstmWeights(FloatTensor wIh, FloatTensor wHh, FloatTensor bIh, FloatTensor bHh) {

    public LstmWeights {
        Objects.requireNonNull(wIh, "wIh");
        Objects.requireNonNull(wHh, "wHh");
        Objects.requireNonNull(bIh, "bIh");
        Objects.requireNonNull(bHh, "bHh");
        if (wIh.rank() != 2 || wIh.dim(0) % 4 != 0) {
            throw new IllegalArgumentException("wIh must be [4H, I], got " + wIh);
        }
        int h = wIh.dim(0) / 4;
        wHh.requireShape("wHh", 4 * h, h);
        bIh.requireShape("bIh", 4 * h);
        bHh.requireShape("bHh", 4 * h);
    }

    public int hiddenSize() {
        return wIh.dim(0) / 4;
    }

    public int inputSize() {
        return wIh.dim(1);
    }

    /** PyTorch-style init: Uniform(-1/sqrt(H), 1/sqrt(H)). */
    public static LstmWeights random(int inputSize, int hiddenSize, long seed) {
        return random(inputSize, hiddenSize, new Random(seed));
    }

    static LstmWeights random(int inputSize, int hiddenSize, Random rng) {
        float k = (float) (1.0 / Math.sqrt(hiddenSize));
        return new LstmWeights(
                FloatTensor.uniform(rng, k, 4 * hiddenSize, inputSize),
                FloatTensor.uniform(rng, k, 4 * hiddenSize, hiddenSize),
                FloatTensor.uniform(rng, k, 4 * hiddenSize),
                FloatTensor.uniform(rng, k, 4 * hiddenSize));
    }
}
