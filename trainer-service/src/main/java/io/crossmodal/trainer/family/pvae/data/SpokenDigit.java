package io.crossmodal.trainer.family.pvae.data;

/** One recording as model input: fixed-length log-mel frames, flattened [frames * mel], and its labels. */
public record SpokenDigit(int digit, String speaker, int take, float[] features) {}
