package io.crossmodal.lifecycle.gate;

/**
 * One condition of the promotion gate and how it came out.
 *
 * @param name      e.g. {@code g2p.per.max}, {@code g2p.wer.relativeIncrease}, {@code g2p.per.bootstrapUpper}
 * @param passed    whether the condition holds
 * @param value     the measured value
 * @param threshold the bound it is compared with ({@code value <= threshold})
 * @param detail    the comparison in words, with the numbers
 */
public record GateCheck(String name, boolean passed, double value, double threshold, String detail) {}
