/** Training side of the partitioned-VAE family: data, DJL model, training, export, evaluation and the study. */
package io.crossmodal.trainer.family.pvae;
