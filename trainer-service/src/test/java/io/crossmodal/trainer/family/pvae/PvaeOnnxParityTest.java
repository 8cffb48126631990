package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.trainer.family.pvae.model.PvaeNet;
import io.crossmodal.trainer.family.pvae.train.PvaeExport;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exported ONNX graphs, run by ONNX Runtime, give the DJL forward pass's outputs within 1e-4. */
class PvaeOnnxParityTest {

    private static final int T = 3;
    private static final int M = 80;

    @Test
    void pvaeGraphsMatchDjl() {
        check("pvae");
    }

    @Test
    void jmvaeGraphsMatchDjl() {
        check("jmvae-kl");
    }

    @Test
    void speechOnlyVaeHasOnlySpeechGraphs() {
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeNet net = new PvaeNet(PvaeTestModels.tiny("vae-speech"), T * M, m);
            PvaeWeights w = net.toWeights(Normalizer.identity(T * M), T, M);
            OrtPvae.Graphs g = PvaeExport.graphs(w);
            assertNull(g.imageEncoder());
            assertNull(g.imageDecoder());
        }
    }

    private static void check(String variant) {
        Random rnd = new Random(21);
        int f = T * M;
        float[] mean = new float[f];
        float[] std = new float[f];
        for (int i = 0; i < f; i++) {
            mean[i] = (float) rnd.nextGaussian() - 4;
            std[i] = 0.5f + 2 * rnd.nextFloat();
        }
        Normalizer norm = new Normalizer(mean, std);
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeNet net = new PvaeNet(PvaeTestModels.tiny(variant), f, m);
            PvaeWeights w = net.toWeights(norm, T, M);
            try (OrtPvae ort = new OrtPvae(SessionFactory.cpu(), PvaeExport.graphs(w), T, M)) {
                int b = 4;
                float[][][] raw = new float[b][T][M];
                float[] normalised = new float[b * f];
                for (int n = 0; n < b; n++) {
                    for (int t = 0; t < T; t++) {
                        for (int k = 0; k < M; k++) {
                            float v = (float) (rnd.nextGaussian() * 3 - 4);
                            raw[n][t][k] = v;
                            int i = t * M + k;
                            normalised[n * f + i] = (v - mean[i]) / std[i];
                        }
                    }
                }
                float[][] images = new float[b][784];
                float[] flatImages = new float[b * 784];
                for (int n = 0; n < b; n++) {
                    for (int i = 0; i < 784; i++) {
                        images[n][i] = rnd.nextFloat();
                        flatImages[n * 784 + i] = images[n][i];
                    }
                }
                NDArray xa = m.create(normalised, new Shape(b, f));
                NDArray xi = m.create(flatImages, new Shape(b, 784));
                PvaeNet.Unimodal djlA = net.encodeSpeech(xa);
                PvaeNet.Unimodal djlI = net.encodeImage(xi);
                Latents ortA = ort.encodeSpeech(raw);
                Latents ortI = ort.encodeImages(images);
                close(djlA.shared().mean(), ortA.sharedMean(), "speech shared mean");
                close(djlA.shared().logVar(), ortA.sharedLogVar(), "speech shared logvar");
                close(djlI.shared().mean(), ortI.sharedMean(), "image shared mean");
                close(djlI.shared().logVar(), ortI.sharedLogVar(), "image shared logvar");
                NDArray zs = djlA.shared().mean();
                if (net.hasStyle()) {
                    close(djlA.style().mean(), ortA.styleMean(), "speech style mean");
                    close(djlA.style().logVar(), ortA.styleLogVar(), "speech style logvar");
                    close(djlI.style().mean(), ortI.styleMean(), "image style mean");
                    close(djlI.style().logVar(), ortI.styleLogVar(), "image style logvar");
                }
                NDArray zi = net.hasStyle() ? djlI.style().mean() : null;
                NDArray za = net.hasStyle() ? djlA.style().mean() : null;
                float[][] ortImages = ort.decodeImages(PvaeLossTermsTest.rows(zs), zi == null ? null : PvaeLossTermsTest.rows(zi));
                close(net.decodeImage(zs, zi), ortImages, "decoded image");
                float[][][] ortFrames = ort.decodeSpeech(PvaeLossTermsTest.rows(zs), za == null ? null : PvaeLossTermsTest.rows(za));
                float[][] djlFrames = PvaeLossTermsTest.rows(net.decodeSpeech(zs, za));
                for (int n = 0; n < b; n++) {
                    for (int t = 0; t < T; t++) {
                        for (int k = 0; k < M; k++) {
                            int i = t * M + k;
                            float expected = djlFrames[n][i] * std[i] + mean[i];
                            assertEquals(expected, ortFrames[n][t][k], 1e-4 * Math.max(1, Math.abs(expected)), "frame value");
                        }
                    }
                }
            }
        }
    }

    private static void close(NDArray djl, float[][] ort, String what) {
        float[][] d = PvaeLossTermsTest.rows(djl);
        assertEquals(d.length, ort.length);
        for (int n = 0; n < d.length; n++) {
            assertEquals(d[n].length, ort[n].length);
            for (int j = 0; j < d[n].length; j++) {
                assertEquals(d[n][j], ort[n][j], 1e-4 * Math.max(1, Math.abs(d[n][j])), what + " [" + n + "][" + j + "]");
            }
        }
    }
}
