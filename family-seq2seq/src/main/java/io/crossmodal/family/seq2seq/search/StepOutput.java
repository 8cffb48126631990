package io.crossmodal.family.seq2seq.search;

/**
 * Result of one decoder step for N hypotheses: {@code logProbs} [N][V], new state {@code h},
 * {@code c} [N][H], and {@code attention} [N][T] (null where a model has none, e.g. the prior).
 */
public record StepOutput(float[][] logProbs, float[][] h, float[][] c, float[][] attention) {

    public int size() {
        return logProbs.length;
    }
}
