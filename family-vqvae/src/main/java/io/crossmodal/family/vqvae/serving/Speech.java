package io.crossmodal.family.vqvae.serving;

/** Admitted speech: the model's fixed-length raw log-mel frames and the trimmed input's duration in seconds. */
record Speech(float[][] frames, double seconds) {}
