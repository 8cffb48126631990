/** What the VQ-VAE study measures: probes on frozen latents, reconstruction error, codebook usage and bit rate. */
package io.crossmodal.trainer.family.vqvae.eval;
