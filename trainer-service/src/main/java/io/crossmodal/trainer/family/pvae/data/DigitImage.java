package io.crossmodal.trainer.family.pvae.data;

/** One written digit: 784 grey levels in [0, 1], row-major 28x28, its label and its index in the source. */
public record DigitImage(int digit, int index, float[] pixels) {}
