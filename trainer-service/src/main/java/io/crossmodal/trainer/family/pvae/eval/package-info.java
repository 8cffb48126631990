/** PVAE evaluation: k-means purity and inertia (Tribuo), t-SNE (Smile), a digit classifier, cross-modal accuracy, figures. */
package io.crossmodal.trainer.family.pvae.eval;
