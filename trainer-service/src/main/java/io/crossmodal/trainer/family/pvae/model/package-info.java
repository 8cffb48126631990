/** The PVAE and its baselines in DJL: parameters, forward passes, and the objective's terms. */
package io.crossmodal.trainer.family.pvae.model;
