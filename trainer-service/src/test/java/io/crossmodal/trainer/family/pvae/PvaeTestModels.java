package io.crossmodal.trainer.family.pvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** Tiny configs and random inputs for the PVAE tests. */
public final class PvaeTestModels {

    private PvaeTestModels() {
    }

    public static PvaeConfig tiny(String variant) {
        return new PvaeConfig(variant, null, 0, null, null, 0, 3, 8, 3, 2, 1.0, 0.5,
                new PvaeConfig.Term(true, 1.0), new PvaeConfig.Term(true, 0.7), new PvaeConfig.Contrast(true, 2.5, 0.9, 1.5),
                new PvaeConfig.Term(true, 1.3), 1, 4, 1e-3, 5, 1, 0);
    }

    public static NDArray gaussian(NDManager m, Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return m.create(v, new Shape(rows, cols));
    }

    public static NDArray pixels(NDManager m, Random rnd, int rows) {
        float[] v = new float[rows * 784];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat();
        }
        return m.create(v, new Shape(rows, 784));
    }
}
