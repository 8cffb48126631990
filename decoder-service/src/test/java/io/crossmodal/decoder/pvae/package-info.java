/** The Decoder serving partitioned-VAE bundles through the family plug-in. */
package io.crossmodal.decoder.pvae;
