package io.crossmodal.trainer.family.vqvae.train;

import ai.djl.ndarray.NDArray;
import io.crossmodal.runtime.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Named float arrays to and from a file (written atomically), checked by name and size on reading. */
public final class ParamsFile {

    private ParamsFile() {
    }

    public static void save(Map<String, NDArray> params, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(params.size());
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                float[] v = p.getValue().toFloatArray();
                out.writeUTF(p.getKey());
                out.writeInt(v.length);
                for (float x : v) {
                    out.writeFloat(x);
                }
            }
        }
        AtomicFiles.write(file, bytes.toByteArray()); // fsynced like the optimiser and upkeep state beside it
    }

    public static void load(Map<String, NDArray> params, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            if (n != params.size()) {
                throw new IOException(file + ": " + n + " arrays, the model has " + params.size()
                        + " (was it trained with another bottleneck or size?)");
            }
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                String name = in.readUTF();
                int len = in.readInt();
                if (!name.equals(p.getKey()) || len != p.getValue().size()) {
                    throw new IOException(file + ": array " + name + "[" + len + "] does not match " + p.getKey());
                }
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    v[i] = in.readFloat();
                }
                p.getValue().set(v);
            }
        }
    }
}
