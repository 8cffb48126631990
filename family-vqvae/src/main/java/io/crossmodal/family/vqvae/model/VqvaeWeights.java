package io.crossmodal.family.vqvae.model;

import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;
import java.util.List;

/**
 * A trained VQ-VAE as plain tensors in PyTorch's layouts (Conv1d weight [out, in, k]; recurrent
 * weights with the gate blocks stacked as PyTorch does: GRU (r, z, n), LSTM (i, f, g, o)).
 *
 * @param bottleneck {@code vq}, {@code vae} or {@code ae}
 * @param mean per-bin mean of the training log-mel frames (the encoder standardises its input)
 * @param std per-bin standard deviation
 * @param convs the encoder convolutions: first k3 stride 1, then k4 stride 2 ones
 * @param head the last k1 convolution (the VAE's mean head)
 * @param codebook [K, D], null unless {@code vq}
 * @param speakerTable learned speaker embeddings [S, E]
 * @param speakerNames the S speakers, in table order
 * @param speakerCentroids [S, M]: each speaker's mean standardised frame over the training data,
 *     for choosing the voice of a reference recording
 * @param frames the fixed frame count the model was trained on
 */
public record VqvaeWeights(String bottleneck, String cell, int frames, int downsample, float[] mean, float[] std,
        List<Conv> convs, Conv head, FloatTensor codebook, FloatTensor speakerTable, List<String> speakerNames,
        FloatTensor speakerCentroids, FloatTensor wIh, FloatTensor wHh, FloatTensor bIh, FloatTensor bHh, Linear out) {

    /** One Conv1d: weight [out, in, k], bias [out]. */
    public record Conv(FloatTensor w, FloatTensor b) {}

    public int melBins() {
        return mean.length;
    }

    public int latentDim() {
        return head.w().dim(0);
    }

    public int codes() {
        return codebook == null ? 0 : codebook.dim(0);
    }

    public int hidden() {
        return wHh.dim(1);
    }

    public int speakerDim() {
        return speakerTable.dim(1);
    }

    public boolean lstm() {
        return cell.equals("lstm");
    }

    /** Decoder state width: h (GRU) or h ; c (LSTM). */
    public int stateSize() {
        return lstm() ? 2 * hidden() : hidden();
    }
}
