package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.family.vqvae.train.VqvaeExport;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The exported ONNX graphs against the DJL forward pass of the same weights: latents and unit
 * vectors within 1e-4, unit ids exactly equal, decoder steps and whole free-running generations
 * within 1e-4, the speaker lookup equal to the nearest centroid computed here. Models are trained
 * two epochs on synthetic data first, so codebook and decoder are not at their initial values.
 */
class VqvaeOnnxParityTest {

    private static final float TOL = 1e-4f;

    @Test
    void vqGruAndLstmGraphsMatchDjl() throws Exception {
        check(VqvaeTestModels.tiny("vq", "gru", true, false, 2));
        check(VqvaeTestModels.tiny("vq", "lstm", true, true, 0));
    }

    @Test
    void vaeAndAeGraphsMatchDjl() throws Exception {
        check(VqvaeTestModels.tiny("vae", "gru", true, false, 0));
        check(VqvaeTestModels.tiny("ae", "lstm", false, false, 0));
    }

    private static void check(VqvaeConfig cfg) throws Exception {
        VqvaeData data = VqvaeTestModels.syntheticData();
        try (NDManager m = NDManager.newBaseManager()) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("vqvae-parity");
            VqvaeNet net = new VqvaeTrainer(cfg, data, e -> { }, "parity").train(m, dir).net();
            List<io.crossmodal.trainer.family.pvae.data.SpokenDigit> batch = data.test();
            NDArray x = VqvaeTrainer.frames(m, batch, data);
            if (net.codebook() != null) {
                // a tiny model collapses onto a code or two; spread the codebook over this batch's encoder
                // outputs (as dead-code re-initialisation does) so the ids check covers many codes and near ties
                float[] ze = net.bottleneck(x, false, new Random(0)).ze().toFloatArray();
                int d = cfg.latentDim();
                int n = ze.length / d;
                float[] cb = new float[cfg.codes() * d];
                for (int k = 0; k < cfg.codes(); k++) {
                    System.arraycopy(ze, (k * (n / cfg.codes())) * d, cb, k * d, d);
                }
                net.codebook().set(cb);
            }
            VqvaeWeights w = VqvaeExport.weights(net, data);
            VqvaeGraphs.Graphs g = VqvaeGraphs.build(w);
            int b = batch.size();
            int t = data.frames();
            int mel = data.melBins();
            float[][][] raw = new float[b][t][mel];
            for (int i = 0; i < b; i++) {
                float[] f = batch.get(i).features();
                for (int k = 0; k < t; k++) {
                    System.arraycopy(f, k * mel, raw[i][k], 0, mel);
                }
            }
            try (OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), g, mel, cfg.latentDim(), net.stateSize(), cfg.downsample())) {
                VqvaeNet.Bottleneck bn = net.bottleneck(x, false, new Random(0));
                OrtVqvae.Encoded enc = ort.encode(raw);
                assertArrayEquals(bn.ze().toFloatArray(), flat(enc.latents()), TOL, cfg.bottleneck() + " latents");
                if (cfg.bottleneck().equals("vq")) {
                    long[] ids = bn.ids().toLongArray();
                    assertArrayEquals(ids, flat(enc.ids()), "unit ids exactly equal");
                    Set<Long> distinct = new HashSet<>();
                    for (long id : ids) {
                        distinct.add(id);
                    }
                    assertTrue(distinct.size() > 1, "the check covers several codes: " + distinct);
                    assertArrayEquals(bn.zq().toFloatArray(), flat(enc.units()), TOL);
                    assertArrayEquals(bn.zq().toFloatArray(), flat(ort.lookup(enc.ids())), TOL);
                }
                int[] spk = VqvaeTrainer.speakers(batch, data);
                long[] spkL = java.util.Arrays.stream(spk).asLongStream().toArray();
                // one step from a non-zero state
                Random rnd = new Random(4);
                float[][] prev = random(rnd, b, mel);
                float[][] lat = random(rnd, b, cfg.latentDim());
                float[][] state = random(rnd, b, net.stateSize());
                NDList djl = net.step(m.create(flat2(prev), new Shape(b, mel)), m.create(flat2(lat), new Shape(b, cfg.latentDim())),
                        spk, m.create(flat2(state), new Shape(b, net.stateSize())));
                OrtVqvae.Step s = ort.step(prev, lat, spkL, state);
                assertArrayEquals(djl.get(0).toFloatArray(), flat2(s.frame()), TOL, "frame");
                assertArrayEquals(djl.get(1).toFloatArray(), flat2(s.state()), TOL, "state");
                // a whole free-running generation, de-standardised in the graph
                NDArray gen = net.generate(bn.z(), spk);
                float[] want = gen.toFloatArray();
                float[] mean = data.mean();
                float[] std = data.std();
                for (int i = 0; i < want.length; i++) {
                    want[i] = want[i] * std[i % mel] + mean[i % mel];
                }
                float[][][] lat3 = cfg.bottleneck().equals("vq") ? enc.units() : enc.latents();
                assertArrayEquals(want, flat(ort.generate(lat3, spkL)), TOL, "generation");
                // the speaker lookup: nearest centroid of the mean standardised frame
                long[] who = ort.identifySpeakers(raw);
                float[][] cent = VqvaeExport.centroids(data);
                for (int i = 0; i < b; i++) {
                    float[] xn = data.normalized(batch.get(i));
                    float[] avg = new float[mel];
                    for (int k = 0; k < xn.length; k++) {
                        avg[k % mel] += xn[k] / t;
                    }
                    int best = 0;
                    double bestD = Double.MAX_VALUE;
                    for (int sIdx = 0; sIdx < cent.length; sIdx++) {
                        double d = 0;
                        for (int k = 0; k < mel; k++) {
                            d += (avg[k] - cent[sIdx][k]) * (avg[k] - cent[sIdx][k]);
                        }
                        if (d < bestD) {
                            bestD = d;
                            best = sIdx;
                        }
                    }
                    assertEquals(best, who[i], "speaker of recording " + i);
                }
            }
        }
    }

    private static float[][] random(Random rnd, int n, int d) {
        float[][] out = new float[n][d];
        for (float[] row : out) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) rnd.nextGaussian();
            }
        }
        return out;
    }

    private static float[] flat2(float[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
        }
        return out;
    }

    private static float[] flat(float[][][] x) {
        int l = x[0].length;
        int d = x[0][0].length;
        float[] out = new float[x.length * l * d];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < l; k++) {
                System.arraycopy(x[i][k], 0, out, (i * l + k) * d, d);
            }
        }
        return out;
    }

    private static long[] flat(long[][] x) {
        long[] out = new long[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
        }
        return out;
    }
}
