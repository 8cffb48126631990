/** The Encoder serving partitioned-VAE bundles through the family plug-in. */
package io.crossmodal.encoder.pvae;
