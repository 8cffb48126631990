/** The partitioned-VAE model family: what trainer and services share about it, without DJL. */
package io.crossmodal.family.pvae;
