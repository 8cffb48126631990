package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.vqvae.model.Jitter;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Time jitter: which latent each decoder step sees, at the configured rate, counted. */
class JitterTest {

    @Test
    void interiorLatentsTakeEachNeighbourAtRateP() {
        double p = 0.12;
        Random rnd = new Random(5);
        int length = 12;
        long left = 0;
        long right = 0;
        long interior = 0;
        long edgeMoved = 0;
        for (int n = 0; n < 20_000; n++) {
            int[] idx = Jitter.indices(length, p, rnd);
            for (int t = 0; t < length; t++) {
                assertTrue(Math.abs(idx[t] - t) <= 1, "only neighbours");
                if (t == 0 || t == length - 1) {
                    edgeMoved += idx[t] == t ? 0 : 1;
                    continue;
                }
                interior++;
                left += idx[t] == t - 1 ? 1 : 0;
                right += idx[t] == t + 1 ? 1 : 0;
            }
        }
        // 200k interior draws: the standard error of a rate near 0.12 is about 0.0007
        assertEquals(p, left / (double) interior, 0.005);
        assertEquals(p, right / (double) interior, 0.005);
        assertTrue(edgeMoved > 0, "an edge latent moves inwards");
        int[] other = Jitter.indices(length, 0.3, new Random(5));
        long moved = 0;
        Random r2 = new Random(9);
        for (int n = 0; n < 5000; n++) {
            int[] idx = Jitter.indices(length, 0.3, r2);
            for (int t = 1; t < length - 1; t++) {
                moved += idx[t] == t ? 0 : 1;
            }
        }
        assertEquals(0.6, moved / (5000.0 * (length - 2)), 0.02, "the rate follows p");
        assertEquals(length, other.length);
    }

    @Test
    void trainingBottleneckFeedsTheDecoderTheJitteredLatentsAndOnlyInTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String bottleneck : new String[] {"vq", "ae"}) {
                VqvaeConfig on = VqvaeTestModels.tiny(bottleneck, "gru", true, false, 0).with(bottleneck, true, 11, "x");
                VqvaeNet net = new VqvaeNet(on, 3, m);
                NDArray x = VqvaeTestModels.gaussian(m, new Random(1), 64, 16, VqvaeTestModels.MEL);
                VqvaeNet.Bottleneck clean = net.bottleneck(x, false, new Random(3));
                assertNull(clean.jitter(), "no jitter at evaluation");
                VqvaeNet.Bottleneck jit = net.bottleneck(x, true, new Random(3));
                assertNotNull(jit.jitter());
                float[] z = (bottleneck.equals("vq") ? jit.zq() : jit.ze()).toFloatArray();
                float[] seen = jit.z().toFloatArray();
                int l = 4;
                int d = on.latentDim();
                int moved = 0;
                for (int b = 0; b < 64; b++) {
                    for (int t = 0; t < l; t++) {
                        int src = jit.jitter()[b][t];
                        moved += src == t ? 0 : 1;
                        float[] want = new float[d];
                        float[] got = new float[d];
                        System.arraycopy(z, (b * l + src) * d, want, 0, d);
                        System.arraycopy(seen, (b * l + t) * d, got, 0, d);
                        assertArrayEquals(want, got, 1e-6f, "step " + t + " of sequence " + b + " sees latent " + src);
                    }
                }
                assertTrue(moved > 0, "some latents were replaced");
                VqvaeConfig off = on.with(bottleneck, false, 11, "x");
                VqvaeNet same = new VqvaeNet(off, 3, m);
                VqvaeNet.Bottleneck noJit = same.bottleneck(x, true, new Random(3));
                assertNull(noJit.jitter(), "jitter off: none in training either");
                assertArrayEquals(same.bottleneck(x, false, new Random(3)).z().toFloatArray(), noJit.z().toFloatArray(), 1e-6f);
            }
        }
    }
}
