/** The VQ-VAE speech autoencoder as plain DJL arrays: convolutional encoder, switchable bottleneck, time jitter, autoregressive frame decoder. */
package io.crossmodal.trainer.family.vqvae.model;
