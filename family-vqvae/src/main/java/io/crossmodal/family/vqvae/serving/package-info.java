/** The VQ-VAE family's serving plug-in: speech to unit sequences (Encoder), units or a recording to speech in a chosen voice (Decoder). */
package io.crossmodal.family.vqvae.serving;
