package io.crossmodal.family.vqvae.testing;

import io.crossmodal.family.vqvae.serving.VqvaeBundleLayout;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny random-weight VQ-VAE bundles and a synthetic voiced signal for the plug-in's and the services' tests. */
public final class TinyVqvae {

    public static final int FRAMES = 16;
    public static final int MEL = 40;
    public static final int DOWN = 4;
    public static final int DIM = 4;
    public static final int CODES = 8;
    public static final int HIDDEN = 6;
    public static final List<String> SPEAKERS = List.of("ann", "bob", "cy");

    private TinyVqvae() {
    }

    public static VqvaeWeights weights(long seed, String bottleneck, String cell) {
        Random r = new Random(seed);
        float[] mean = new float[MEL];
        float[] std = new float[MEL];
        for (int i = 0; i < MEL; i++) {
            mean[i] = -8 + (float) r.nextGaussian();
            std[i] = 2 + r.nextFloat();
        }
        int c = 8;
        List<VqvaeWeights.Conv> convs = new ArrayList<>();
        convs.add(new VqvaeWeights.Conv(FloatTensor.uniform(r, 0.3f, c, MEL, 3), FloatTensor.uniform(r, 0.1f, c)));
        convs.add(new VqvaeWeights.Conv(FloatTensor.uniform(r, 0.3f, c, c, 4), FloatTensor.uniform(r, 0.1f, c)));
        convs.add(new VqvaeWeights.Conv(FloatTensor.uniform(r, 0.3f, c, c, 4), FloatTensor.uniform(r, 0.1f, c)));
        VqvaeWeights.Conv head = new VqvaeWeights.Conv(FloatTensor.uniform(r, 1.5f, DIM, c, 1), FloatTensor.uniform(r, 0.1f, DIM));
        FloatTensor codebook = bottleneck.equals("vq") ? FloatTensor.uniform(r, 1.5f, CODES, DIM) : null;
        int gates = cell.equals("lstm") ? 4 : 3;
        int in = MEL + DIM + 2;
        return new VqvaeWeights(bottleneck, cell, FRAMES, DOWN, mean, std, convs, head, codebook,
                FloatTensor.uniform(r, 1f, SPEAKERS.size(), 2), SPEAKERS, FloatTensor.uniform(r, 1f, SPEAKERS.size(), MEL),
                FloatTensor.uniform(r, 0.4f, gates * HIDDEN, in), FloatTensor.uniform(r, 0.4f, gates * HIDDEN, HIDDEN),
                FloatTensor.uniform(r, 0.4f, gates * HIDDEN), FloatTensor.uniform(r, 0.4f, gates * HIDDEN),
                new Linear(FloatTensor.uniform(r, 0.4f, MEL, HIDDEN), FloatTensor.uniform(r, 0.4f, MEL)));
    }

    /**
     * The same model with a VQ codebook made of the given latents (then 4 random ones): random
     * weights alone put every latent of a test signal on one code.
     */
    public static VqvaeWeights withCodebook(VqvaeWeights w, float[][] latents) {
        Random r = new Random(9);
        float[] cb = new float[CODES * DIM];
        for (int k = 0; k < CODES; k++) {
            for (int d = 0; d < DIM; d++) {
                cb[k * DIM + d] = k < latents.length ? latents[k][d] : (float) (10 + r.nextGaussian());
            }
        }
        return new VqvaeWeights("vq", w.cell(), w.frames(), w.downsample(), w.mean(), w.std(), w.convs(), w.head(),
                FloatTensor.of(cb, CODES, DIM), w.speakerTable(), w.speakerNames(), w.speakerCentroids(), w.wIh(), w.wHh(),
                w.bIh(), w.bHh(), w.out());
    }

    public static Bundle write(Path root, String model, VqvaeWeights w) {
        var content = VqvaeBundleLayout.content(w, VqvaeGraphs.build(w), Map.of());
        Map<String, FileContent> files = new LinkedHashMap<>();
        content.files().forEach((name, bytes) -> files.put(name, FileContent.of(bytes)));
        return new BundleWriter(root).write(model, content.manifest().createdAt(Instant.parse("2026-01-02T03:04:05Z"))
                .metric("digit_probe_mlp", 0.5).build(), files);
    }

    /** A voiced-looking signal: two harmonics with a gliding pitch under a smooth envelope. */
    public static float[] tone(int rate, double seconds, double f0) {
        int n = (int) Math.round(rate * seconds);
        float[] s = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double env = Math.sin(Math.PI * i / n);
            phase += 2 * Math.PI * f0 * (1 + 0.5 * i / n) / rate;
            s[i] = (float) (0.4 * env * (Math.sin(phase) + 0.5 * Math.sin(3 * phase)));
        }
        return s;
    }
}
