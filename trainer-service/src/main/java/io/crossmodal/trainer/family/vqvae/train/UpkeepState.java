package io.crossmodal.trainer.family.vqvae.train;

import io.crossmodal.runtime.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The codebook upkeep's state as a checkpoint holds it ({@code last.upkeep} beside {@code last.params}
 * and Adam's {@code last.adam}): the EMA cluster sizes N_k and running sums m_k, each code's last
 * step of use (the dead-code clock), the upkeep's step count and its re-initialisation counter.
 * Without it a resumed run would restart the EMA averages from the codebook and every code's
 * clock from zero, and so diverge from an uninterrupted run.
 *
 * @param trainerStep the trainer's step count when this was written, to detect a file from another epoch
 */
public record UpkeepState(long trainerStep, long step, int reinitialised, double[] counts, double[] sums, long[] lastUsed) {
    /** The checkpoint file name next to {@code last.params}. */
    public static final String FILE = "last.upkeep";
    private static final int MAGIC = 0x56515550; // "VQUP"
    private static final int VERSION = 1;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(UpkeepState.class);

    /** Writes the state crash-safely (a reader sees the previous file or this one, never a mix). */
    public void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(trainerStep);
            out.writeLong(step);
            out.writeInt(reinitialised);
            out.writeInt(counts.length);
            out.writeInt(sums.length);
            for (double c : counts) {
                out.writeDouble(c);
            }
            for (double s : sums) {
                out.writeDouble(s);
            }
            for (long u : lastUsed) {
                out.writeLong(u);
            }
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** Reads a file written by {@link #write}; null when there is none (a checkpoint from before upkeep state). */
    public static UpkeepState read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + ": not a codebook upkeep state file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": codebook upkeep state version " + version + ", this build reads " + VERSION);
            }
            long trainerStep = in.readLong();
            long step = in.readLong();
            int reinitialised = in.readInt();
            int codes = in.readInt();
            int sumLength = in.readInt();
            if (codes < 0 || sumLength < 0 || sumLength > (1 << 26) || codes > sumLength) {
                throw new IOException(file + ": implausible sizes " + codes + " codes, " + sumLength + " sums");
            }
            double[] counts = new double[codes];
            double[] sums = new double[sumLength];
            long[] lastUsed = new long[codes];
            for (int i = 0; i < codes; i++) {
                counts[i] = in.readDouble();
            }
            for (int i = 0; i < sumLength; i++) {
                sums[i] = in.readDouble();
            }
            for (int i = 0; i < codes; i++) {
                lastUsed[i] = in.readLong();
            }
            return new UpkeepState(trainerStep, step, reinitialised, counts, sums, lastUsed);
        }
    }

    /**
     * The upkeep state to resume a checkpoint of trainer step {@code step} with, or null (fresh
     * averages and clocks, with a logged warning) where the checkpoint has none (written by an older
     * version) or one from another step (a crash between writing it and committing the epoch).
     */
    public static UpkeepState forResume(Path file, long step, String owner) throws IOException {
        UpkeepState saved = read(file);
        if (saved == null) {
            LOG.warnf("%s: checkpoint in %s has no codebook upkeep state (written by an older version): the EMA averages "
                    + "and dead-code clocks start afresh, so the resumed run will not match an uninterrupted one", owner,
                    file.getParent());
            return null;
        }
        if (saved.trainerStep() != step) {
            LOG.warnf("%s: codebook upkeep state %s is from step %d, the checkpoint from step %d: the EMA averages and "
                    + "dead-code clocks start afresh", owner, file, saved.trainerStep(), step);
            return null;
        }
        return saved;
    }
}
