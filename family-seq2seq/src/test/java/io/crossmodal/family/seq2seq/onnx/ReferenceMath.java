package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;

/** Straightforward float math (double accumulation) for the reference forward passes. */
final class ReferenceMath {

    private ReferenceMath() {
    }

    /** One PyTorch LSTM step, gates (i, f, g, o); returns {h', c'}. */
    static float[][] lstmStep(LstmWeights w, float[] x, float[] h, float[] c) {
        int hs = w.hiddenSize();
        int in = w.inputSize();
        float[] wi = w.wIh().data();
        float[] wh = w.wHh().data();
        double[] gates = new double[4 * hs];
        for (int r = 0; r < 4 * hs; r++) {
            double s = w.bIh().data()[r] + (double) w.bHh().data()[r];
            for (int j = 0; j < in; j++) {
                s += (double) wi[r * in + j] * x[j];
            }
            for (int j = 0; j < hs; j++) {
                s += (double) wh[r * hs + j] * h[j];
            }
            gates[r] = s;
        }
        float[] h2 = new float[hs];
        float[] c2 = new float[hs];
        for (int j = 0; j < hs; j++) {
            double i = sigmoid(gates[j]);
            double f = sigmoid(gates[hs + j]);
            double g = Math.tanh(gates[2 * hs + j]);
            double o = sigmoid(gates[3 * hs + j]);
            double cn = f * c[j] + i * g;
            c2[j] = (float) cn;
            h2[j] = (float) (o * Math.tanh(cn));
        }
        return new float[][] {h2, c2};
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static float[] tanh(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
        return y;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static float[] concat(float[] a, float[] b) {
        float[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static float[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double total = 0;
        double[] e = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            e[i] = Math.exp(scores[i] - max);
            total += e[i];
        }
        float[] p = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            p[i] = (float) (e[i] / total);
        }
        return p;
    }

    static float[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double total = 0;
        for (float v : logits) {
            total += Math.exp(v - max);
        }
        double lse = max + Math.log(total);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - lse);
        }
        return out;
    }

    static float[] embed(FloatTensor table, long id) {
        if (id < 0 || id >= table.dim(0)) {
            throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + table.dim(0));
        }
        return table.row((int) id);
    }
}
