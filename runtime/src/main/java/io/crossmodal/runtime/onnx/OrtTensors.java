package io.crossmodal.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/** Small helpers for moving float arrays in and out of ORT tensors and checking graph signatures. */
public final class OrtTensors {

    private OrtTensors() {
    }

    public static OnnxTensor floats(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(data), shape);
    }

    /** Packs rows [n][cols] into one flat array. */
    public static float[] flatten(float[][] rows, int cols) {
        float[] out = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + cols);
            }
            System.arraycopy(rows[i], 0, out, i * cols, cols);
        }
        return out;
    }

    public static float[] flat(OrtSession.Result result, String name) {
        OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("graph produced no " + name));
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** Rows [rows][cols] of a flat [rows, cols] (or [rows, ..., cols]) array starting at {@code offset}. */
    public static float[][] matrix(float[] flat, int offset, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, offset + r * cols, out[r], 0, cols);
        }
        return out;
    }

    /** Static size of the last dimension of a graph input/output. */
    public static int lastDim(Map<String, NodeInfo> infos, String name) {
        long[] shape = ((TensorInfo) infos.get(name).getInfo()).getShape();
        long d = shape[shape.length - 1];
        if (d <= 0) {
            throw new IllegalStateException("last dimension of " + name + " is not static");
        }
        return (int) d;
    }

    public static void requireNames(String graph, Set<String> actual, String... expected) {
        for (String name : expected) {
            if (!actual.contains(name)) {
                throw new IllegalArgumentException(graph + " graph lacks tensor '" + name + "' (has " + actual + ")");
            }
        }
    }

    public static Map<String, NodeInfo> inputs(OrtSession s) {
        try {
            return s.getInputInfo();
        } catch (OrtException e) {
            throw new InferenceException("cannot read session inputs", e);
        }
    }

    public static Map<String, NodeInfo> outputs(OrtSession s) {
        try {
            return s.getOutputInfo();
        } catch (OrtException e) {
            throw new InferenceException("cannot read session outputs", e);
        }
    }

    public static void close(OrtSession... sessions) {
        InferenceException failure = null;
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                failure = new InferenceException("failed to close session", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
