/** The partitioned-VAE family's serving plug-in: bundle layout, request admission (audio, WAV, frames, images, latents, cross-modal) and responses. */
package io.crossmodal.family.pvae.serving;
