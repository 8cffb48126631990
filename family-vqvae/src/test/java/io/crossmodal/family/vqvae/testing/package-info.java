/** Test fixtures of the VQ-VAE family shared through the test-jar: tiny random-weight bundles, synthetic audio, the services' contract. */
package io.crossmodal.family.vqvae.testing;
