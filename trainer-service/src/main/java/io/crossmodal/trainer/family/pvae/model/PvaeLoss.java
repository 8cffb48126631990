package io.crossmodal.trainer.family.pvae.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import io.crossmodal.trainer.train.Scalars;

/**
 * The PVAE objective of METHODS.md section 2, as a loss to minimise (the negative of L):
 * {@code w_elbo * (-ELBO) + alpha * Coherence + beta * Contrast + w_uni * (-unimodal ELBOs)}.
 * Each term is the mean over the batch of a per-example sum over dimensions:
 * <ul>
 * <li>-ELBO (pairs, multimodal posterior): {@code |x_a - mu_a|^2 / 2 sigma_a^2 + |x_i - mu_i|^2 / 2 sigma_i^2
 *     + KL(q(z_s)||p) + KL(q(z_a)||p) + KL(q(z_i)||p)} (Gaussian constants dropped);</li>
 * <li>Coherence (pairs): {@code KL(q(z_s,z_a|x_a,x_i) || q(z_s,z_a|x_a)) + KL(q(z_s,z_i|x_a,x_i) || q(z_s,z_i|x_i))};</li>
 * <li>Contrast (pairs, unimodal means of z_s): {@code max(0, m - k(a, i) + k(a, i-)) + max(0, m - k(a, i) + k(a-, i))},
 *     {@code k(u, v) = exp(-|u - v|^2 / (2 gamma^2))};</li>
 * <li>-unimodal ELBO (unpaired examples): reconstruction from the unimodal posterior plus its KLs to the prior.</li>
 * </ul>
 * A term that is off is not computed at all. JMVAE-kl is this objective with no style partitions
 * and no contrast (its KL term is the coherence); the VAEs use only the unimodal term.
 */
public final class PvaeLoss {

    /** The weighted total (to back-propagate) and every term's unweighted value (NaN when off or absent). */
    public record Terms(NDArray total, double elbo, double coherence, double contrast, double unimodal) {}

    private final PvaeConfig cfg;

    public PvaeLoss(PvaeConfig cfg) {
        this.cfg = cfg;
    }

    public Terms compute(PvaeNet net, PvaeBatch b, boolean sample) {
        NDArray total = null;
        double elbo = Double.NaN;
        double coherence = Double.NaN;
        double contrast = Double.NaN;
        double unimodal = Double.NaN;
        boolean pairs = net.multimodal() && b.hasPairs();
        if (pairs && cfg.elbo().on()) {
            NDArray t = negElbo(net, b, sample);
            elbo = t.getFloat();
            total = add(total, Scalars.mul(t, (float) cfg.elbo().weight()));
        }
        if (pairs && cfg.coherence().on()) {
            NDArray t = coherence(net, b);
            coherence = t.getFloat();
            total = add(total, Scalars.mul(t, (float) cfg.coherence().weight()));
        }
        if (pairs && cfg.contrast().on() && !net.variant().equals("jmvae-kl") && b.negSpeech() != null) {
            NDArray t = contrast(net, b);
            contrast = t.getFloat();
            total = add(total, Scalars.mul(t, (float) cfg.contrast().weight()));
        }
        if (cfg.unimodal().on() && (b.soloSpeech() != null || b.soloImage() != null)) {
            NDArray t = negUnimodalElbo(net, b, sample);
            if (t != null) {
                unimodal = t.getFloat();
                total = add(total, Scalars.mul(t, (float) cfg.unimodal().weight()));
            }
        }
        if (total == null) {
            throw new IllegalStateException("no loss term applies to this batch: check the job's terms and data");
        }
        return new Terms(total, elbo, coherence, contrast, unimodal);
    }

    NDArray negElbo(PvaeNet net, PvaeBatch b, boolean sample) {
        PvaeNet.Multimodal q = net.encodeBoth(b.pairSpeech(), b.pairImage());
        NDArray zs = q.shared().sample(sample);
        NDArray za = q.speechStyle() == null ? null : q.speechStyle().sample(sample);
        NDArray zi = q.imageStyle() == null ? null : q.imageStyle().sample(sample);
        NDArray rec = recon(b.pairSpeech(), net.decodeSpeech(zs, za), cfg.speechSigma())
                .add(recon(b.pairImage(), net.decodeImage(zs, zi), cfg.imageSigma()));
        NDArray kl = q.shared().klToPrior();
        if (q.speechStyle() != null) {
            kl = kl.add(q.speechStyle().klToPrior()).add(q.imageStyle().klToPrior());
        }
        return rec.add(kl).mean();
    }

    NDArray coherence(PvaeNet net, PvaeBatch b) {
        PvaeNet.Multimodal q = net.encodeBoth(b.pairSpeech(), b.pairImage());
        PvaeNet.Unimodal qa = net.encodeSpeech(b.pairSpeech());
        PvaeNet.Unimodal qi = net.encodeImage(b.pairImage());
        NDArray c = q.shared().kl(qa.shared()).add(q.shared().kl(qi.shared()));
        if (q.speechStyle() != null) {
            c = c.add(q.speechStyle().kl(qa.style())).add(q.imageStyle().kl(qi.style()));
        }
        return c.mean();
    }

    NDArray contrast(PvaeNet net, PvaeBatch b) {
        NDArray a = net.encodeSpeech(b.pairSpeech()).shared().mean();
        NDArray i = net.encodeImage(b.pairImage()).shared().mean();
        NDArray aNeg = net.encodeSpeech(b.negSpeech()).shared().mean();
        NDArray iNeg = net.encodeImage(b.negImage()).shared().mean();
        float m = (float) cfg.contrast().margin();
        NDArray pos = kernel(a, i);
        NDArray h1 = Activation.relu(kernel(a, iNeg).sub(pos).add(m));
        NDArray h2 = Activation.relu(kernel(aNeg, i).sub(pos).add(m));
        return h1.add(h2).mean();
    }

    NDArray negUnimodalElbo(PvaeNet net, PvaeBatch b, boolean sample) {
        NDArray sum = null;
        if (b.soloSpeech() != null && net.speech()) {
            PvaeNet.Unimodal q = net.encodeSpeech(b.soloSpeech());
            NDArray za = q.style() == null ? null : q.style().sample(sample);
            NDArray t = recon(b.soloSpeech(), net.decodeSpeech(q.shared().sample(sample), za), cfg.speechSigma())
                    .add(kls(q)).mean();
            sum = add(sum, t);
        }
        if (b.soloImage() != null && net.image()) {
            PvaeNet.Unimodal q = net.encodeImage(b.soloImage());
            NDArray zi = q.style() == null ? null : q.style().sample(sample);
            NDArray t = recon(b.soloImage(), net.decodeImage(q.shared().sample(sample), zi), cfg.imageSigma())
                    .add(kls(q)).mean();
            sum = add(sum, t);
        }
        return sum;
    }

    private static NDArray kls(PvaeNet.Unimodal q) {
        NDArray kl = q.shared().klToPrior();
        return q.style() == null ? kl : kl.add(q.style().klToPrior());
    }

    /** {@code |x - mu|^2 / (2 sigma^2)} per example. */
    static NDArray recon(NDArray x, NDArray mu, double sigma) {
        return Scalars.div(x.sub(mu).square().sum(new int[] {1}), (float) (2 * sigma * sigma));
    }

    NDArray kernel(NDArray u, NDArray v) {
        double g = cfg.contrast().gamma();
        return Scalars.div(u.sub(v).square().sum(new int[] {1}), (float) (-2 * g * g)).exp();
    }

    private static NDArray add(NDArray acc, NDArray t) {
        return acc == null ? t : acc.add(t);
    }
}
