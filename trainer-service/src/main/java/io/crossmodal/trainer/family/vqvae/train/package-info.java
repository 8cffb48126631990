/** Training loop of the VQ-VAE family: Adam, EMA codebook, dead-code re-initialisation, checkpoints and curves. */
package io.crossmodal.trainer.family.vqvae.train;
