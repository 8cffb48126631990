package io.crossmodal.trainer.train;

import io.crossmodal.runtime.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam's state as a checkpoint holds it: the update count, and the first and second moments keyed
 * by parameter name (DJL parameter ids are fresh per run, names are stable). Written next to the
 * parameters so a resumed run continues the very same optimiser, not one whose moments start afresh.
 *
 * @param updates Adam's update count t (bias correction), which lags the trainer's step count by the skipped steps
 * @param trainerStep the trainer's step count when this was written, to detect a file from another epoch
 */
public record AdamMoments(long updates, long trainerStep, Map<String, float[]> mean, Map<String, float[]> variance) {
    /** The checkpoint file name next to {@code last.params}. */
    public static final String FILE = "last.adam";
    private static final int MAGIC = 0x4144414d; // "ADAM"
    private static final int VERSION = 1;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AdamMoments.class);

    /** Writes the state crash-safely (a reader sees the previous file or this one, never a mix). */
    public void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(updates);
            out.writeLong(trainerStep);
            out.writeInt(mean.size());
            for (Map.Entry<String, float[]> e : mean.entrySet()) {
                float[] v = variance.get(e.getKey());
                if (v == null || v.length != e.getValue().length) {
                    throw new IllegalStateException("Adam moments of " + e.getKey() + " do not match");
                }
                out.writeUTF(e.getKey());
                out.writeInt(v.length);
                for (float x : e.getValue()) {
                    out.writeFloat(x);
                }
                for (float x : v) {
                    out.writeFloat(x);
                }
            }
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /**
     * The Adam state to resume a checkpoint of trainer step {@code step} with, or null (fresh moments,
     * with a logged warning) where the checkpoint has none (written before optimiser state was saved)
     * or one from another step (a crash between writing it and committing the epoch).
     */
    public static AdamMoments forResume(Path file, long step, String owner) throws IOException {
        AdamMoments saved = read(file);
        if (saved == null) {
            LOG.warnf("%s: checkpoint in %s has no optimiser state (written by an older version): Adam's moments start "
                    + "afresh, so the resumed run will not match an uninterrupted one", owner, file.getParent());
            return null;
        }
        if (saved.trainerStep() != step) {
            LOG.warnf("%s: optimiser state %s is from step %d, the checkpoint from step %d: Adam's moments start afresh",
                    owner, file, saved.trainerStep(), step);
            return null;
        }
        return saved;
    }

    /** Reads a file written by {@link #write}; null when there is none (a checkpoint from before optimiser state). */
    public static AdamMoments read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + ": not an Adam state file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": Adam state version " + version + ", this build reads " + VERSION);
            }
            long updates = in.readLong();
            long trainerStep = in.readLong();
            int n = in.readInt();
            Map<String, float[]> mean = new LinkedHashMap<>();
            Map<String, float[]> variance = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int len = in.readInt();
                float[] m = new float[len];
                float[] v = new float[len];
                for (int k = 0; k < len; k++) {
                    m[k] = in.readFloat();
                }
                for (int k = 0; k < len; k++) {
                    v[k] = in.readFloat();
                }
                mean.put(name, m);
                variance.put(name, v);
            }
            return new AdamMoments(updates, trainerStep, mean, variance);
        }
    }
}
