package io.crossmodal.trainer.family.vqvae.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import io.crossmodal.trainer.family.pvae.train.AdamStep;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A probe on frozen latents: softmax regression ({@code hidden == 0}) or a one-hidden-layer ReLU
 * MLP, trained full-batch with Adam on features standardised by the training set's statistics.
 * Returns the test accuracy. Small and deterministic (the seed draws the initial weights).
 */
public final class Probe {

    private Probe() {
    }

    public static double accuracy(float[][] trainX, int[] trainY, float[][] testX, int[] testY, int classes, int hidden,
            int epochs, long seed, NDManager manager) {
        long[] pred = predict(trainX, trainY, testX, classes, hidden, epochs, seed, manager);
        int correct = 0;
        for (int i = 0; i < pred.length; i++) {
            correct += pred[i] == testY[i] ? 1 : 0;
        }
        return correct / (double) pred.length;
    }

    /** The trained probe's class for each test row (the gate's per-example scores need them, not just the accuracy). */
    public static long[] predict(float[][] trainX, int[] trainY, float[][] testX, int classes, int hidden,
            int epochs, long seed, NDManager manager) {
        int f = trainX[0].length;
        float[] mean = new float[f];
        float[] std = new float[f];
        for (float[] row : trainX) {
            for (int j = 0; j < f; j++) {
                mean[j] += row[j] / trainX.length;
            }
        }
        for (float[] row : trainX) {
            for (int j = 0; j < f; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / trainX.length;
            }
        }
        for (int j = 0; j < f; j++) {
            std[j] = (float) Math.max(1e-4, Math.sqrt(std[j]));
        }
        try (NDManager m = manager.newSubManager()) {
            Random rnd = new Random(seed);
            Map<String, NDArray> p = new LinkedHashMap<>();
            int in = f;
            if (hidden > 0) {
                init(m, rnd, p, "h", f, hidden);
                in = hidden;
            }
            init(m, rnd, p, "o", in, classes);
            p.values().forEach(a -> a.setRequiresGradient(true));
            float[] flatX = standardise(trainX, mean, std);
            float[] labels = toFloat(trainY);
            AdamStep adam = new AdamStep(hidden > 0 ? 3e-3f : 1e-2f);
            for (int e = 0; e < epochs; e++) {
                // the batch arrays live in the step's manager, so every intermediate is freed with it
                try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = s.create(flatX, new Shape(trainX.length, f));
                    NDArray logits = forward(p, x, hidden);
                    NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(s.create(labels)), new NDList(logits));
                    gc.backward(loss);
                }
                adam.step(p, m);
            }
            NDArray tx = m.create(standardise(testX, mean, std), new Shape(testX.length, f));
            return forward(p, tx, hidden).argMax(1).toLongArray();
        }
    }

    private static NDArray forward(Map<String, NDArray> p, NDArray x, int hidden) {
        NDArray h = x;
        if (hidden > 0) {
            h = Activation.relu(Linear.linear(h, p.get("h.W"), p.get("h.b")).singletonOrThrow());
        }
        return Linear.linear(h, p.get("o.W"), p.get("o.b")).singletonOrThrow();
    }

    private static void init(NDManager m, Random rnd, Map<String, NDArray> p, String name, int in, int out) {
        float k = (float) (1 / Math.sqrt(in));
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        p.put(name + ".W", m.create(w, new Shape(out, in)));
        p.put(name + ".b", m.zeros(new Shape(out)));
    }

    private static float[] standardise(float[][] x, float[] mean, float[] std) {
        int f = mean.length;
        float[] out = new float[x.length * f];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < f; j++) {
                out[i * f + j] = (x[i][j] - mean[j]) / std[j];
            }
        }
        return out;
    }

    private static float[] toFloat(int[] y) {
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i];
        }
        return out;
    }
}
