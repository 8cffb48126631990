package io.crossmodal.trainer.train;

import io.crossmodal.runtime.io.AtomicFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parameter snapshots in memory (best-so-far) and on disk (checkpoints, written crash-safely by {@link AtomicFiles}). */
public final class ParamIO {
    private ParamIO() {}

    public static List<float[]> snapshot(Block block) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    public static void restore(Block block, List<float[]> values) {
        int i = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            a.set(values.get(i++));
        }
    }

    /** The parameters by name (names are stable across runs, DJL's parameter ids are not), in the block's order. */
    public static java.util.Map<String, float[]> named(Block block) {
        java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** The {@link #snapshot} order of named values; an error names the first parameter missing or of another size. */
    public static List<float[]> ordered(Block block, java.util.Map<String, float[]> values) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            float[] v = values.get(p.getKey());
            long size = p.getValue().getArray().size();
            if (v == null || v.length != size) {
                throw new IllegalArgumentException("parameter " + p.getKey() + " (" + size + " values) is "
                        + (v == null ? "missing" : "of " + v.length + " values") + " in the saved state");
            }
            out.add(v);
        }
        if (values.size() != out.size()) {
            throw new IllegalArgumentException("the saved state has " + values.size() + " parameters, the model " + out.size());
        }
        return out;
    }

    public static void save(Block block, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
            out.writeInt(params.size());
            for (Pair<String, Parameter> p : params) {
                float[] v = p.getValue().getArray().toFloatArray();
                out.writeUTF(p.getKey());
                out.writeInt(v.length);
                for (float f : v) {
                    out.writeFloat(f);
                }
            }
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    public static void load(Block block, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
            if (n != params.size()) {
                throw new IOException(file + ": " + n + " parameters, model has " + params.size());
            }
            for (Pair<String, Parameter> p : params) {
                String name = in.readUTF();
                int len = in.readInt();
                NDArray a = p.getValue().getArray();
                if (!name.equals(p.getKey()) || len != a.size()) {
                    throw new IOException(file + ": parameter " + name + "[" + len + "] does not match "
                            + p.getKey() + a.getShape());
                }
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    v[i] = in.readFloat();
                }
                a.set(v);
            }
        }
    }
}
