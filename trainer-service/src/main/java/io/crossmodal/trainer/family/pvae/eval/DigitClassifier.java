package io.crossmodal.trainer.family.pvae.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.crossmodal.trainer.family.pvae.data.DigitImage;
import io.crossmodal.trainer.train.Scalars;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The judge of generated images: an MLP (784-256-10, ReLU, softmax cross-entropy, Adam) trained
 * in DJL on MNIST's training images only, its accuracy measured on MNIST's test images.
 */
public final class DigitClassifier {

    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private double testAccuracy = Double.NaN;

    private DigitClassifier() {
    }

    public static DigitClassifier train(List<DigitImage> train, List<DigitImage> test, int epochs, long seed, NDManager manager) {
        DigitClassifier c = new DigitClassifier();
        Random rnd = new Random(seed);
        c.linear(manager, rnd, "l0", 784, 256);
        c.linear(manager, rnd, "l1", 256, 10);
        c.params.values().forEach(p -> p.setRequiresGradient(true));
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        for (int e = 0; e < epochs; e++) {
            Collections.shuffle(order, rnd);
            for (int s = 0; s < order.size(); s += 64) {
                List<DigitImage> batch = new ArrayList<>();
                for (int k = s; k < Math.min(order.size(), s + 64); k++) {
                    batch.add(train.get(order.get(k)));
                }
                try (NDManager m = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = c.logits(images(m, batch));
                    float[] oneHot = new float[batch.size() * 10];
                    for (int k = 0; k < batch.size(); k++) {
                        oneHot[k * 10 + batch.get(k).digit()] = 1;
                    }
                    NDArray y = m.create(oneHot, new Shape(batch.size(), 10));
                    NDArray loss = Scalars.div(logits.logSoftmax(1).mul(y).sum().neg(), (float) batch.size());
                    gc.backward(loss);
                }
                for (Map.Entry<String, NDArray> p : c.params.entrySet()) {
                    NDArray g = p.getValue().getGradient();
                    adam.update(p.getKey(), p.getValue(), g);
                    // PyTorch accumulates gradients: zero them in place. (GradientCollector.zeroGradients
                    // walks every managed array and leaves gradient handles behind: steps slowed down linearly.)
                    g.muli(0f);
                    g.close();
                }
            }
        }
        float[][] testImages = new float[test.size()][];
        int[] labels = new int[test.size()];
        for (int i = 0; i < test.size(); i++) {
            testImages[i] = test.get(i).pixels();
            labels[i] = test.get(i).digit();
        }
        int[] pred = c.predict(testImages, manager);
        int right = 0;
        for (int i = 0; i < pred.length; i++) {
            right += pred[i] == labels[i] ? 1 : 0;
        }
        c.testAccuracy = (double) right / pred.length;
        return c;
    }

    public double testAccuracy() {
        return testAccuracy;
    }

    public int[] predict(float[][] images, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            float[] flat = new float[images.length * 784];
            for (int i = 0; i < images.length; i++) {
                System.arraycopy(images[i], 0, flat, i * 784, 784);
            }
            NDArray logits = logits(m.create(flat, new Shape(images.length, 784)));
            long[] arg = logits.argMax(1).toLongArray();
            int[] out = new int[arg.length];
            for (int i = 0; i < arg.length; i++) {
                out[i] = (int) arg[i];
            }
            return out;
        }
    }

    private NDArray logits(NDArray x) {
        NDArray h = Activation.relu(Linear.linear(x, params.get("l0.W"), params.get("l0.b")).singletonOrThrow());
        return Linear.linear(h, params.get("l1.W"), params.get("l1.b")).singletonOrThrow();
    }

    private static NDArray images(NDManager m, List<DigitImage> batch) {
        float[] flat = new float[batch.size() * 784];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).pixels(), 0, flat, i * 784, 784);
        }
        return m.create(flat, new Shape(batch.size(), 784));
    }

    private void linear(NDManager m, Random rnd, String name, int in, int out) {
        float k = (float) (1 / Math.sqrt(in));
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        float[] b = new float[out];
        for (int i = 0; i < out; i++) {
            b[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        params.put(name + ".W", m.create(w, new Shape(out, in)));
        params.put(name + ".b", m.create(b, new Shape(out)));
    }
}
