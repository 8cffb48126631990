package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.crossmodal.trainer.family.vqvae.model.VqvaeLoss;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The VQ bottleneck's gradient paths and loss terms: each assertion fails if the straight-through
 * estimator, the commitment term or the codebook term were dropped or mis-wired.
 */
class VqvaeLossTermsTest {

    private static double sumSquares(NDArray a) {
        return a == null ? 0 : a.square().sum().getFloat();
    }

    private static void zeroGradients(Map<String, NDArray> params) {
        params.values().forEach(p -> p.getGradient().muli(0f));
    }

    @Test
    void reconstructionGradientReachesTheEncoderThroughTheQuantiserOnlyByStraightThrough() {
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", false, false, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(cfg, 3, m);
            NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 4, VqvaeTestModels.FRAMES, VqvaeTestModels.MEL);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                VqvaeNet.Bottleneck b = net.bottleneck(x, true, new Random(2));
                VqvaeLoss.Terms t = new VqvaeLoss(cfg).compute(b, net.decode(b.z(), new int[] {0, 1, 2, 0}, x, true), x);
                gc.backward(t.recon());
            }
            // only the reconstruction term was back-propagated: the encoder's gradient can only have come
            // through z_e + sg(z_q - z_e); without it the quantiser (argmin) would block every path
            assertTrue(sumSquares(net.parameters().get("enc.0.W").getGradient()) > 1e-12, "encoder gradient through the quantiser");
            assertTrue(sumSquares(net.parameters().get("enc.out.W").getGradient()) > 1e-12);
            // and the codebook gets none from the reconstruction: its values enter only under stop-gradient
            assertEquals(0.0, sumSquares(net.parameters().get("codebook").getGradient()), 1e-12);
        }
    }

    @Test
    void commitmentTermIsBetaTimesTheDistanceAndPullsOnlyTheEncoder() {
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", false, false, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(cfg, 3, m);
            NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 4, VqvaeTestModels.FRAMES, VqvaeTestModels.MEL);
            double commit;
            double codebook;
            double recon;
            double total;
            double distance;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                VqvaeNet.Bottleneck b = net.bottleneck(x, true, new Random(2));
                VqvaeLoss.Terms t = new VqvaeLoss(cfg).compute(b, net.decode(b.z(), new int[] {0, 1, 2, 0}, x, true), x);
                distance = b.ze().sub(b.zq()).square().mean().getFloat();
                commit = t.value(t.commitment());
                codebook = t.value(t.codebook());
                recon = t.value(t.recon());
                total = t.total().getFloat();
                gc.backward(t.commitment());
            }
            assertTrue(distance > 1e-6, "encoder outputs and codes differ");
            assertEquals(cfg.commitment() * distance, commit, 1e-6);
            assertEquals(distance, codebook, 1e-6);
            assertEquals(recon + codebook + commit, total, 1e-5, "total = reconstruction + codebook + commitment");
            assertTrue(sumSquares(net.parameters().get("enc.0.W").getGradient()) > 1e-12, "commitment pulls the encoder");
            assertEquals(0.0, sumSquares(net.parameters().get("codebook").getGradient()), 1e-12, "and not the codebook");
            assertEquals(0.0, sumSquares(net.parameters().get("rnn.w_ih").getGradient()), 1e-12, "nor the decoder");
        }
    }

    @Test
    void codebookTermMovesOnlyTheCodebookAndIsDroppedUnderEma() {
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "lstm", false, false, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(cfg, 3, m);
            NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 4, VqvaeTestModels.FRAMES, VqvaeTestModels.MEL);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                VqvaeNet.Bottleneck b = net.bottleneck(x, true, new Random(2));
                VqvaeLoss.Terms t = new VqvaeLoss(cfg).compute(b, net.decode(b.z(), new int[] {0, 1, 2, 0}, x, true), x);
                gc.backward(t.codebook());
            }
            assertTrue(sumSquares(net.parameters().get("codebook").getGradient()) > 1e-12);
            assertEquals(0.0, sumSquares(net.parameters().get("enc.0.W").getGradient()), 1e-12);
        }
        VqvaeConfig ema = VqvaeTestModels.tiny("vq", "gru", false, true, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(ema, 3, m);
            NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 4, VqvaeTestModels.FRAMES, VqvaeTestModels.MEL);
            VqvaeNet.Bottleneck b = net.bottleneck(x, false, new Random(2));
            VqvaeLoss.Terms t = new VqvaeLoss(ema).compute(b, net.decode(b.z(), new int[] {0, 1, 2, 0}, x, false), x);
            assertNull(t.codebook(), "EMA keeps the codebook out of the loss");
            assertNotNull(t.commitment());
            assertTrue(!net.parameters().containsKey("codebook"), "and out of the optimiser");
        }
    }

    @Test
    void vaeKlIsTheClosedFormPerElement() {
        VqvaeConfig cfg = VqvaeTestModels.tiny("vae", "gru", false, false, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(cfg, 3, m);
            NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 4, VqvaeTestModels.FRAMES, VqvaeTestModels.MEL);
            VqvaeNet.Bottleneck b = net.bottleneck(x, true, new Random(2));
            VqvaeLoss.Terms t = new VqvaeLoss(cfg).compute(b, net.decode(b.z(), new int[] {0, 1, 2, 0}, x, true), x);
            float[] mu = b.mean().toFloatArray();
            float[] lv = b.logvar().toFloatArray();
            double kl = 0;
            for (int i = 0; i < mu.length; i++) {
                kl += 0.5 * (mu[i] * mu[i] + Math.exp(lv[i]) - 1 - lv[i]);
            }
            assertEquals(kl / x.size(), t.value(t.kl()), 1e-6);
            assertTrue(t.value(t.kl()) > 0);
        }
    }
}
