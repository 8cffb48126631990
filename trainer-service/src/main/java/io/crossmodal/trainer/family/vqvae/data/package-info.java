/** Spoken digits with their speakers as VQ-VAE input: the shared FSDD loader and speech front end, standardised per mel bin. */
package io.crossmodal.trainer.family.vqvae.data;
