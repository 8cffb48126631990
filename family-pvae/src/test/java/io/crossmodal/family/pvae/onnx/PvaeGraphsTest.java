package io.crossmodal.family.pvae.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.onnx.Linear;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.pvae.model.DecoderWeights;
import io.crossmodal.family.pvae.model.EncoderWeights;
import io.crossmodal.family.pvae.model.GaussianHead;
import io.crossmodal.family.pvae.model.Mlp;
import io.crossmodal.family.pvae.model.Normalizer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The graphs, run by ONNX Runtime, compute what the plain-Java reference of the same weights computes. */
class PvaeGraphsTest {

    private static final int T = 4;
    private static final int M = 80;

    @Test
    void speechEncoderAndDecoderMatchReference() {
        Random rnd = new Random(3);
        int in = T * M;
        Normalizer norm = normalizer(rnd, in);
        EncoderWeights enc = new EncoderWeights(norm, new Mlp(List.of(Linear.random(in, 16, true, 1), Linear.random(16, 12, true, 2))),
                head(12, 5, 3), head(12, 3, 4));
        DecoderWeights dec = new DecoderWeights(5, 3, new Mlp(List.of(Linear.random(8, 10, true, 5), Linear.random(10, in, true, 6))),
                false, norm);
        try (OrtPvae ort = new OrtPvae(SessionFactory.cpu(),
                new OrtPvae.Graphs(PvaeGraphs.speechEncoder(enc, T, M), null, PvaeGraphs.speechDecoder(dec, T, M), null), T, M)) {
            float[][][] x = new float[2][T][M];
            for (float[][] u : x) {
                for (float[] f : u) {
                    for (int i = 0; i < M; i++) {
                        f[i] = (float) rnd.nextGaussian() * 3 - 5;
                    }
                }
            }
            Latents lat = ort.encodeSpeech(x);
            for (int b = 0; b < 2; b++) {
                float[] flat = new float[in];
                for (int t = 0; t < T; t++) {
                    System.arraycopy(x[b][t], 0, flat, t * M, M);
                }
                float[] h = relu(enc.preEncoder().apply(normalize(flat, norm)));
                assertClose(enc.shared().mean().apply(h), lat.sharedMean()[b]);
                assertClose(enc.shared().logVar().apply(h), lat.sharedLogVar()[b]);
                assertClose(enc.style().mean().apply(h), lat.styleMean()[b]);
                assertClose(enc.style().logVar().apply(h), lat.styleLogVar()[b]);
            }
            float[][][] y = ort.decodeSpeech(lat.sharedMean(), lat.styleMean());
            float[] z = concat(lat.sharedMean()[1], lat.styleMean()[1]);
            float[] ref = dec.net().apply(z);
            for (int i = 0; i < in; i++) {
                ref[i] = ref[i] * norm.std()[i] + norm.mean()[i];
            }
            float[] got = new float[in];
            for (int t = 0; t < T; t++) {
                System.arraycopy(y[1][t], 0, got, t * M, M);
            }
            assertClose(ref, got);
            var e = assertThrows(IllegalArgumentException.class, () -> ort.encodeImages(new float[1][784]));
            assertTrue(e.getMessage().contains("no image encoder"), e.getMessage());
        }
    }

    @Test
    void styleFreeImageGraphsMatchReference() {
        Random rnd = new Random(4);
        EncoderWeights enc = new EncoderWeights(Normalizer.identity(784),
                new Mlp(List.of(Linear.random(784, 20, true, 7))), head(20, 6, 8), null);
        DecoderWeights dec = new DecoderWeights(6, 0, new Mlp(List.of(Linear.random(6, 784, true, 9))), true, null);
        try (OrtPvae ort = new OrtPvae(SessionFactory.cpu(),
                new OrtPvae.Graphs(null, PvaeGraphs.imageEncoder(enc), null, PvaeGraphs.imageDecoder(dec)), T, M)) {
            float[][] img = new float[3][784];
            for (float[] row : img) {
                for (int i = 0; i < 784; i++) {
                    row[i] = rnd.nextFloat();
                }
            }
            Latents lat = ort.encodeImages(img);
            assertNull(lat.styleMean());
            assertClose(enc.shared().mean().apply(relu(enc.preEncoder().apply(img[2]))), lat.sharedMean()[2]);
            float[][] out = ort.decodeImages(lat.sharedMean(), null);
            float[] ref = dec.net().apply(lat.sharedMean()[0]);
            for (int i = 0; i < ref.length; i++) {
                ref[i] = (float) (1 / (1 + Math.exp(-ref[i])));
            }
            assertClose(ref, out[0]);
        }
    }

    private static GaussianHead head(int in, int dim, long seed) {
        return new GaussianHead(Linear.random(in, dim, true, seed), Linear.random(in, dim, true, seed + 100));
    }

    private static Normalizer normalizer(Random rnd, int n) {
        float[] mean = new float[n];
        float[] std = new float[n];
        for (int i = 0; i < n; i++) {
            mean[i] = (float) rnd.nextGaussian() - 5;
            std[i] = 0.5f + rnd.nextFloat() * 3;
        }
        return new Normalizer(mean, std);
    }

    private static float[] normalize(float[] x, Normalizer n) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - n.mean()[i]) / n.std()[i];
        }
        return out;
    }

    private static float[] relu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0, x[i]);
        }
        return x;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }
}
