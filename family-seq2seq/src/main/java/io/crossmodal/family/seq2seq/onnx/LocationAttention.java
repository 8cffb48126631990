package io.crossmodal.family.seq2seq.onnx;

/**
 * Parameters of the location term that makes attention favour monotonic, local alignments
 * (docs/NOISY_CHANNEL.md, "Attention"). The decoder carries its previous focus {@code p}
 * (expected source position of the previous attention, {@code -1} before the first step) as the
 * last element of its cell state, and adds {@code -sharpness * (s - p - shift)^2} to the content
 * score of source position {@code s}: a Gaussian window that moves forward by about {@code shift}
 * positions per output token. Both are the effective (positive) values the trainer learned.
 */
public record LocationAttention(float shift, float sharpness) {

    /** Focus before the first decoder step: one position left of the first source symbol. */
    public static final float INITIAL_FOCUS = -1f;

    public LocationAttention {
        if (!(shift >= 0 && Float.isFinite(shift)) || !(sharpness >= 0 && Float.isFinite(sharpness))) {
            throw new IllegalArgumentException("location attention needs finite shift and sharpness >= 0, got "
                    + shift + ", " + sharpness);
        }
    }

    /** The location bias for source position {@code s} given the previous focus {@code p}. */
    public double bias(int s, double p) {
        double d = s - p - shift;
        return -sharpness * d * d;
    }
}
