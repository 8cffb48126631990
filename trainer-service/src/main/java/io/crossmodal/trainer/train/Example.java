package io.crossmodal.trainer.train;

/** One training pair of id sequences (no {@code <s>}/{@code </s>}); for the prior, src is unused. */
public record Example(long[] src, long[] tgt) {}
