package io.crossmodal.trainer.train;

/**
 * Optimisation settings for one component.
 *
 * @param patience epochs without dev improvement before stopping (early stopping on dev PER)
 * @param maxSteps stop after this many updates (0 = no limit); for quick runs and tests
 * @param lrDecay factor applied to the learning rate when dev PER does not improve
 */
public record TrainSettings(
        int batchSize, float learningRate, int epochs, long maxSteps, int patience, float clipNorm, float lrDecay, long seed) {
    public TrainSettings {
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("batchSize must be in [1, 4096], got " + batchSize);
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learningRate must be in (0, 1), got " + learningRate);
        }
        if (epochs < 1 || epochs > 1000) {
            throw new IllegalArgumentException("epochs must be in [1, 1000], got " + epochs);
        }
        if (maxSteps < 0 || patience < 1 || !(clipNorm > 0) || !(lrDecay > 0 && lrDecay <= 1)) {
            throw new IllegalArgumentException(
                    "need maxSteps >= 0, patience >= 1, clipNorm > 0, 0 < lrDecay <= 1: " + this);
        }
    }
}
