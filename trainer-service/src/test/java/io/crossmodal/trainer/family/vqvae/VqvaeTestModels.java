package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tiny configs, random inputs and synthetic spoken digits for the VQ-VAE tests. */
public final class VqvaeTestModels {

    public static final int FRAMES = 8;
    public static final int MEL = 6;

    private VqvaeTestModels() {
    }

    public static VqvaeConfig tiny(String bottleneck, String cell, boolean jitter, boolean ema, int deadCodeSteps) {
        return new VqvaeConfig(bottleneck, "/nonexistent", null, FRAMES, MEL, 4, 8, 3, 5, 0.25, ema, 0.9, deadCodeSteps,
                1.0, jitter, 0.12, cell, 7, 2, 2, 8, 5e-3, 11, 1);
    }

    public static NDArray gaussian(NDManager m, Random rnd, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        long[] ls = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ls[i] = shape[i];
        }
        return m.create(v, new Shape(ls));
    }

    /** Three speakers x three digits x four takes of random frames, takes 0-1 as test data. */
    public static VqvaeData syntheticData() {
        Random rnd = new Random(3);
        List<SpokenDigit> train = new ArrayList<>();
        List<SpokenDigit> test = new ArrayList<>();
        List<String> speakers = List.of("ann", "bob", "cy");
        for (int s = 0; s < speakers.size(); s++) {
            for (int d = 0; d < 3; d++) {
                for (int take = 0; take < 4; take++) {
                    float[] f = new float[FRAMES * MEL];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = (float) (d + 0.5 * s + rnd.nextGaussian());
                    }
                    (take < 2 ? test : train).add(new SpokenDigit(d, speakers.get(s), take, f));
                }
            }
        }
        FbankConfig fb = new FbankConfig(MEL, 25, 10, 20, 4000, 40);
        return new VqvaeData(train, test, speakers, FRAMES, MEL, fb);
    }
}
