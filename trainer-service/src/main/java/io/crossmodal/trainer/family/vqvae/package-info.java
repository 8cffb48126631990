/** Training side of the VQ-VAE speech autoencoder family (METHODS.md section 3): config, data, DJL model, training, export, probes and the study. */
package io.crossmodal.trainer.family.vqvae;
