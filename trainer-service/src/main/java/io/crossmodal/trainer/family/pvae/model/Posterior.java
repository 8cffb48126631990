package io.crossmodal.trainer.family.pvae.model;

import ai.djl.ndarray.NDArray;
import io.crossmodal.trainer.train.Scalars;

/** A diagonal Gaussian posterior for a batch: mean and log-variance [B, dim]. */
public record Posterior(NDArray mean, NDArray logVar) {

    /** Reparameterised sample {@code mean + exp(logVar / 2) * eps}, or the mean when not sampling. */
    public NDArray sample(boolean random) {
        if (!random) {
            return mean;
        }
        NDArray eps = mean.getManager().randomNormal(mean.getShape());
        return mean.add(Scalars.mul(logVar, 0.5).exp().mul(eps));
    }

    /** KL(this || N(0, I)) per example [B]: {@code 0.5 sum(exp(lv) + mu^2 - 1 - lv)}. */
    public NDArray klToPrior() {
        return Scalars.mul(logVar.exp().add(mean.square()).sub(1f).sub(logVar).sum(new int[] {1}), 0.5);
    }

    /** KL(this || other) per example [B] for diagonal Gaussians. */
    public NDArray kl(Posterior other) {
        NDArray ratio = logVar.exp().add(mean.sub(other.mean).square()).div(other.logVar.exp());
        return Scalars.mul(other.logVar.sub(logVar).add(ratio).sub(1f).sum(new int[] {1}), 0.5);
    }
}
