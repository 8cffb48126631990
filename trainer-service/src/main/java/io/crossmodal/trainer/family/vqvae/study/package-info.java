/** The VQ-VAE study: every bottleneck with and without jitter over several seeds, written as Markdown, JSON and PNGs. */
package io.crossmodal.trainer.family.vqvae.study;
