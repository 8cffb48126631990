package io.crossmodal.trainer.family.vqvae.model;

import ai.djl.ndarray.NDArray;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.train.Scalars;

/**
 * The objective: reconstruction 0.5 ||x_hat - x||^2 (a unit-variance Gaussian decoder) averaged
 * over frames and bins, plus by bottleneck
 * <ul>
 * <li>{@code vq}: the codebook term ||sg(z_e) - e||^2 (dropped when the codebook follows EMA
 * updates) and the commitment term beta ||z_e - sg(e)||^2, each averaged over latent elements;</li>
 * <li>{@code vae}: klWeight KL(q(z|x) || N(0, I)) summed per utterance and divided by the frame
 * elements, so that it is on the reconstruction's per-element scale (the ELBO per element);</li>
 * <li>{@code ae}: nothing.</li>
 * </ul>
 */
public final class VqvaeLoss {

    private final VqvaeConfig cfg;

    public VqvaeLoss(VqvaeConfig cfg) {
        this.cfg = cfg;
    }

    /** The terms as arrays (for gradients) and the total; absent terms are null. */
    public record Terms(NDArray total, NDArray recon, NDArray codebook, NDArray commitment, NDArray kl) {

        public double value(NDArray a) {
            return a == null ? Double.NaN : a.getFloat();
        }
    }

    public Terms compute(VqvaeNet.Bottleneck b, NDArray reconstruction, NDArray x) {
        NDArray recon = Scalars.mul(reconstruction.sub(x).square().mean(), 0.5);
        NDArray total = recon;
        NDArray codebook = null;
        NDArray commitment = null;
        NDArray kl = null;
        switch (cfg.bottleneck()) {
            case "vq" -> {
                commitment = Scalars.mul(b.ze().sub(b.zq().stopGradient()).square().mean(), (float) cfg.commitment());
                total = total.add(commitment);
                if (!cfg.ema()) {
                    codebook = b.ze().stopGradient().sub(b.zq()).square().mean();
                    total = total.add(codebook);
                }
            }
            case "vae" -> {
                NDArray m = b.mean();
                NDArray lv = b.logvar();
                NDArray perUtt = Scalars.mul(m.square().add(lv.exp()).sub(1f).sub(lv).sum(), 0.5);
                kl = Scalars.mul(Scalars.div(perUtt, (float) x.size()), (float) cfg.klWeight());
                total = total.add(kl);
            }
            default -> {
            }
        }
        return new Terms(total, recon, codebook, commitment, kl);
    }
}
