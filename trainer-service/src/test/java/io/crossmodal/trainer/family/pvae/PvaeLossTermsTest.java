package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.pvae.model.Posterior;
import io.crossmodal.trainer.family.pvae.model.PvaeBatch;
import io.crossmodal.trainer.family.pvae.model.PvaeLoss;
import io.crossmodal.trainer.family.pvae.model.PvaeNet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each objective term equals its formula computed by hand (plain Java from the networks'
 * outputs, posterior means instead of samples), and switching a term off changes the total by
 * exactly weight x term: a term silently dropped or mis-weighted fails here.
 */
class PvaeLossTermsTest {

    private static final int SPEECH = 12;

    @Test
    void everyTermIsCountedWithItsWeightAndMatchesItsFormula() {
        PvaeConfig cfg = PvaeTestModels.tiny("pvae");
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeNet net = new PvaeNet(cfg, SPEECH, m);
            Random rnd = new Random(11);
            PvaeBatch b = new PvaeBatch(PvaeTestModels.gaussian(m, rnd, 5, SPEECH), PvaeTestModels.pixels(m, rnd, 5),
                    PvaeTestModels.gaussian(m, rnd, 5, SPEECH), PvaeTestModels.pixels(m, rnd, 5),
                    PvaeTestModels.gaussian(m, rnd, 3, SPEECH), PvaeTestModels.pixels(m, rnd, 4));
            PvaeLoss.Terms all = new PvaeLoss(cfg).compute(net, b, false);
            double total = all.total().getFloat();

            assertClose(handElbo(net, b, cfg), all.elbo(), "ELBO");
            assertClose(handCoherence(net, b), all.coherence(), "coherence");
            assertClose(handContrast(net, b, cfg), all.contrast(), "contrast");
            assertClose(handUnimodal(net, b, cfg), all.unimodal(), "unimodal");
            assertClose(1.0 * all.elbo() + 0.7 * all.coherence() + 2.5 * all.contrast() + 1.3 * all.unimodal(), total, "total");

            PvaeConfig.Term off = new PvaeConfig.Term(false, 1);
            PvaeConfig.Contrast cOff = new PvaeConfig.Contrast(false, 2.5, 0.9, 1.5);
            assertOff(net, b, cfg.withTerms(off, cfg.coherence(), cfg.contrast(), cfg.unimodal()), total, 1.0 * all.elbo());
            assertOff(net, b, cfg.withTerms(cfg.elbo(), off, cfg.contrast(), cfg.unimodal()), total, 0.7 * all.coherence());
            assertOff(net, b, cfg.withTerms(cfg.elbo(), cfg.coherence(), cOff, cfg.unimodal()), total, 2.5 * all.contrast());
            assertOff(net, b, cfg.withTerms(cfg.elbo(), cfg.coherence(), cfg.contrast(), off), total, 1.3 * all.unimodal());
            for (double v : new double[] {all.elbo(), all.coherence(), all.contrast(), all.unimodal()}) {
                assertTrue(v > 1e-3, "each term must contribute on this batch, got " + v);
            }
        }
    }

    @Test
    void jmvaeHasNoContrastAndVaeOnlyUnimodal() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rnd = new Random(12);
            PvaeBatch b = new PvaeBatch(PvaeTestModels.gaussian(m, rnd, 4, SPEECH), PvaeTestModels.pixels(m, rnd, 4),
                    PvaeTestModels.gaussian(m, rnd, 4, SPEECH), PvaeTestModels.pixels(m, rnd, 4),
                    PvaeTestModels.gaussian(m, rnd, 3, SPEECH), null);
            PvaeLoss.Terms j = new PvaeLoss(PvaeTestModels.tiny("jmvae-kl"))
                    .compute(new PvaeNet(PvaeTestModels.tiny("jmvae-kl"), SPEECH, m), b, false);
            assertTrue(Double.isNaN(j.contrast()), "JMVAE-kl has no contrast term");
            assertTrue(j.coherence() > 0, "JMVAE-kl's KL term is the coherence");
            PvaeLoss.Terms v = new PvaeLoss(PvaeTestModels.tiny("vae-speech"))
                    .compute(new PvaeNet(PvaeTestModels.tiny("vae-speech"), SPEECH, m), b, false);
            assertTrue(Double.isNaN(v.elbo()) && Double.isNaN(v.coherence()) && Double.isNaN(v.contrast()));
            assertClose(1.3 * v.unimodal(), v.total().getFloat(), "VAE total");
        }
    }

    private static void assertOff(PvaeNet net, PvaeBatch b, PvaeConfig without, double total, double weighted) {
        double t = new PvaeLoss(without).compute(net, b, false).total().getFloat();
        assertClose(total - weighted, t, "total with one term off");
    }

    private static double handElbo(PvaeNet net, PvaeBatch b, PvaeConfig cfg) {
        PvaeNet.Multimodal q = net.encodeBoth(b.pairSpeech(), b.pairImage());
        float[][] xa = rows(b.pairSpeech());
        float[][] xi = rows(b.pairImage());
        float[][] mua = rows(net.decodeSpeech(q.shared().mean(), q.speechStyle().mean()));
        float[][] mui = rows(net.decodeImage(q.shared().mean(), q.imageStyle().mean()));
        double sum = 0;
        for (int n = 0; n < xa.length; n++) {
            sum += sq(xa[n], mua[n]) / (2 * cfg.speechSigma() * cfg.speechSigma())
                    + sq(xi[n], mui[n]) / (2 * cfg.imageSigma() * cfg.imageSigma())
                    + klPrior(q.shared(), n) + klPrior(q.speechStyle(), n) + klPrior(q.imageStyle(), n);
        }
        return sum / xa.length;
    }

    private static double handCoherence(PvaeNet net, PvaeBatch b) {
        PvaeNet.Multimodal q = net.encodeBoth(b.pairSpeech(), b.pairImage());
        PvaeNet.Unimodal qa = net.encodeSpeech(b.pairSpeech());
        PvaeNet.Unimodal qi = net.encodeImage(b.pairImage());
        int n = (int) b.pairSpeech().getShape().get(0);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += kl(q.shared(), qa.shared(), i) + kl(q.speechStyle(), qa.style(), i)
                    + kl(q.shared(), qi.shared(), i) + kl(q.imageStyle(), qi.style(), i);
        }
        return sum / n;
    }

    private static double handContrast(PvaeNet net, PvaeBatch b, PvaeConfig cfg) {
        float[][] a = rows(net.encodeSpeech(b.pairSpeech()).shared().mean());
        float[][] i = rows(net.encodeImage(b.pairImage()).shared().mean());
        float[][] an = rows(net.encodeSpeech(b.negSpeech()).shared().mean());
        float[][] in = rows(net.encodeImage(b.negImage()).shared().mean());
        double g = cfg.contrast().gamma();
        double margin = cfg.contrast().margin();
        double sum = 0;
        for (int n = 0; n < a.length; n++) {
            double pos = Math.exp(-sq(a[n], i[n]) / (2 * g * g));
            sum += Math.max(0, margin - pos + Math.exp(-sq(a[n], in[n]) / (2 * g * g)))
                    + Math.max(0, margin - pos + Math.exp(-sq(an[n], i[n]) / (2 * g * g)));
        }
        return sum / a.length;
    }

    private static double handUnimodal(PvaeNet net, PvaeBatch b, PvaeConfig cfg) {
        PvaeNet.Unimodal qa = net.encodeSpeech(b.soloSpeech());
        float[][] xa = rows(b.soloSpeech());
        float[][] ra = rows(net.decodeSpeech(qa.shared().mean(), qa.style().mean()));
        double sa = 0;
        for (int n = 0; n < xa.length; n++) {
            sa += sq(xa[n], ra[n]) / (2 * cfg.speechSigma() * cfg.speechSigma()) + klPrior(qa.shared(), n) + klPrior(qa.style(), n);
        }
        PvaeNet.Unimodal qi = net.encodeImage(b.soloImage());
        float[][] xi = rows(b.soloImage());
        float[][] ri = rows(net.decodeImage(qi.shared().mean(), qi.style().mean()));
        double si = 0;
        for (int n = 0; n < xi.length; n++) {
            si += sq(xi[n], ri[n]) / (2 * cfg.imageSigma() * cfg.imageSigma()) + klPrior(qi.shared(), n) + klPrior(qi.style(), n);
        }
        return sa / xa.length + si / xi.length;
    }

    private static double klPrior(Posterior p, int n) {
        float[] mu = rows(p.mean())[n];
        float[] lv = rows(p.logVar())[n];
        double s = 0;
        for (int j = 0; j < mu.length; j++) {
            s += 0.5 * (Math.exp(lv[j]) + mu[j] * mu[j] - 1 - lv[j]);
        }
        return s;
    }

    private static double kl(Posterior p, Posterior q, int n) {
        float[] m1 = rows(p.mean())[n];
        float[] l1 = rows(p.logVar())[n];
        float[] m2 = rows(q.mean())[n];
        float[] l2 = rows(q.logVar())[n];
        double s = 0;
        for (int j = 0; j < m1.length; j++) {
            s += 0.5 * (l2[j] - l1[j] + (Math.exp(l1[j]) + (m1[j] - m2[j]) * (m1[j] - m2[j])) / Math.exp(l2[j]) - 1);
        }
        return s;
    }

    private static double sq(float[] x, float[] y) {
        double s = 0;
        for (int j = 0; j < x.length; j++) {
            s += (x[j] - y[j]) * (double) (x[j] - y[j]);
        }
        return s;
    }

    static float[][] rows(NDArray a) {
        int r = (int) a.getShape().get(0);
        int c = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[r][c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(flat, i * c, out[i], 0, c);
        }
        return out;
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), what);
    }
}
