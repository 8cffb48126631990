/** A trained VQ-VAE as plain float tensors, the contract between the trainer's export and the graph builders. */
package io.crossmodal.family.vqvae.model;
