/** The VQ-VAE speech autoencoder family's serving side: plain weights, ONNX graph builders, ONNX Runtime runner (no DJL). */
package io.crossmodal.family.vqvae;
