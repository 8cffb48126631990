package io.crossmodal.trainer.api;

import io.crossmodal.trainer.config.JobConfig;

/**
 * An upper-end estimate of the memory one training job needs, checked against
 * {@code crossmodal.trainer.limits.memory-budget-mib} before a job is admitted. Per trained component, in
 * 4-byte floats:
 * <pre>
 *   memory = 4 B x ( 4 x P            parameters, gradients, and Adam's two moment estimates
 *                  + B x T x A )      activations kept for the backward pass of one batch
 * </pre>
 * with V = {@value #VOCABULARY} (a generous bound on either symbol set), E the embedding size, He / Hd / Hp the
 * encoder (per direction) / decoder / prior hidden sizes, Ep the prior embedding, B the batch size, T the
 * longest output (model.maxOutputLength, also taken as the longest input) and
 * <pre>
 *   seq2seq (g2p, p2g):  P = 2VE + 2 x 4He(E + He + 2) + 4Hd(E + 2He + Hd + 2) + 2He x Hd + (Hd + 2He) x Hd + Hd x V
 *                        A = 2 x 8He + 8Hd + 2E + V       (LSTM gates and states, attention context, logits)
 *   prior:               P = V Ep + 4Hp(Ep + Hp + 2) + Hp x V
 *                        A = 8Hp + Ep + V
 * </pre>
 * The semi-supervised training holds all three components and a second batch at once, so its activations
 * count twice. It is an estimate of the order of magnitude (the JVM's own heap and the data come on top),
 * meant to refuse sizes like an embedding of 10^6 (terabytes) before they take the machine down, not to
 * predict a job's footprint to the megabyte.
 *
 * <p>A PVAE ({@code family: "pvae"}) has multilayer perceptrons of width H over speech of S = frames x 80 values
 * and images of 784, latents of Z = sharedDim + styleDim, batch B:
 * <pre>
 *   pvae:  P = 4H(S + 784) + 8H^2 + 8HZ      (unimodal and joint encoders, both decoders)
 *          A = B x (16H + 2(S + 784))
 * </pre>
 *
 * <p>A VQ-VAE ({@code family: "vqvae"}) has convolutions of width C over T frames of M mel bins (one per factor
 * of 2 of the downsampling, kernel 4), latents of D, K codes, a recurrent decoder of H over the frame, the
 * latent and a speaker embedding of E, batch B (every decoder step's gates are kept for the backward pass):
 * <pre>
 *   vqvae: P = 3CM + 8C^2 + CD + KD + 4H(M + D + E + H + 2) + HM
 *          A = B x T x (2C + 8H + 4M + D + K)
 * </pre>
 */
public final class JobMemoryEstimate {
    static final int VOCABULARY = 100;

    private JobMemoryEstimate() {
    }

    /** The estimate in bytes (doubles: the products of hostile sizes overflow a long). */
    public static double bytes(JobConfig cfg) {
        if (cfg.family().equals("pvae")) {
            return pvaeBytes(io.crossmodal.trainer.family.pvae.PvaeTrainingFamily.settings(cfg));
        }
        if (cfg.family().equals("vqvae") && cfg.vqvae() != null) {
            return vqvaeBytes(cfg.vqvae());
        }
        JobConfig.Model m = cfg.model();
        double v = VOCABULARY;
        double e = m.embed();
        double he = m.encHidden();
        double hd = m.decHidden();
        double hp = m.priorHidden();
        double ep = m.priorEmbed();
        double bt = (double) cfg.train().batchSize() * m.maxOutputLength();
        double activationFactor = cfg.semiEnabled() ? 2 : 1;
        double floats = 0;
        for (String c : cfg.components()) {
            double p;
            double a;
            if (c.equals("prior")) {
                p = v * ep + 4 * hp * (ep + hp + 2) + hp * v;
                a = 8 * hp + ep + v;
            } else {
                p = 2 * v * e + 2 * 4 * he * (e + he + 2) + 4 * hd * (e + 2 * he + hd + 2) + 2 * he * hd
                        + (hd + 2 * he) * hd + hd * v;
                a = 2 * 8 * he + 8 * hd + 2 * e + v;
            }
            floats += 4 * p + activationFactor * bt * a;
        }
        return 4 * floats;
    }

    private static double pvaeBytes(io.crossmodal.trainer.family.pvae.PvaeConfig p) {
        double h = p.hidden();
        double in = (double) p.frames() * 80 + 784;
        double z = (double) p.sharedDim() + p.styleDim();
        double params = 4 * h * in + 8 * h * h + 8 * h * z;
        double activations = (double) p.batchSize() * (16 * h + 2 * in);
        return 4 * (4 * params + activations);
    }

    private static double vqvaeBytes(io.crossmodal.trainer.family.vqvae.VqvaeConfig v) {
        double c = v.channels();
        double m = v.melBins();
        double d = v.latentDim();
        double k = v.codes();
        double h = v.decoderHidden();
        double params = 3 * c * m + 8 * c * c + c * d + k * d + 4 * h * (m + d + v.speakerDim() + h + 2) + h * m;
        double activations = (double) v.batchSize() * v.frames() * (2 * c + 8 * h + 4 * m + d + k);
        return 4 * (4 * params + activations);
    }
}
