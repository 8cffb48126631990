package io.crossmodal.trainer.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.crossmodal.runtime.io.AtomicFiles;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.train.AdamMoments;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.NoisyChannelTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jboss.logging.Logger;

/**
 * The semi-supervised phase's checkpoint after a semi epoch, one file {@code semi-NNNN.ckpt}
 * (NNNN = the epoch) holding everything a resumed run needs to continue exactly: each component's
 * parameters and best-epoch parameters, each component's Adam state, and (as JSON) the epoch and
 * step counters, learning rates, the two generators' states, the batch cyclers' orders and
 * positions, the best-dev bookkeeping, the history and the non-finite skip counters.
 *
 * <p>One file, not one per part, so that a crash can never pair the parameters of one epoch with
 * the optimiser state of another. It is written with {@link AtomicFiles} (a crash mid-write leaves
 * the previous file) and ends with a CRC-32C of everything before it, so a truncated or corrupted
 * file is recognised on reading; {@link #latest} then falls back to the previous epoch's file,
 * which is kept until the phase ends.
 *
 * @param fingerprint the config a resumed run must match ({@link #fingerprint})
 */
record SemiCheckpoint(Progress progress, String fingerprint, Map<String, Map<String, float[]>> last,
        Map<String, Map<String, float[]>> best, Map<String, AdamMoments> adam) {
    private static final Logger LOG = Logger.getLogger(SemiCheckpoint.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final int MAGIC = 0x4e435343; // "NCSC"
    private static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("semi-(\\d{4,})\\.ckpt");

    /** A batch cycler's place: the current pass's order (indices into its list) and the next position. */
    record CyclerState(int[] order, int pos) {}

    /**
     * The small part, as JSON: counters, bookkeeping and generator states.
     *
     * @param epoch the last finished semi epoch
     * @param step semi steps done
     * @param seconds semi-phase seconds so far (over all the runs that made this checkpoint)
     * @param history the semi epochs' entries of each component's learning-curve history
     * @param batchRngState state of the generator that shuffles the batch cyclers
     * @param cyclers by term (paired, prior, wake, sleep)
     * @param trainer the {@link NoisyChannelTrainer.State} without its Adam moments (kept in binary)
     */
    record Progress(int epoch, long step, double seconds, Map<String, Double> bestDev, Map<String, Integer> bestEpoch,
            List<NoisyChannelJob.EpochRecord> records, Map<String, List<ComponentTrainer.EpochStats>> history,
            long batchRngState, Map<String, CyclerState> cyclers, NoisyChannelTrainer.State trainer) {}

    /**
     * A checkpoint of the trainer's full state: its Adam moments go into the binary part, the rest
     * of it into the JSON.
     */
    static SemiCheckpoint of(Progress p, String fingerprint, Map<String, Map<String, float[]>> last,
            Map<String, Map<String, float[]>> best) {
        NoisyChannelTrainer.State t = p.trainer();
        NoisyChannelTrainer.State small = new NoisyChannelTrainer.State(Map.of(), t.learningRates(), t.rngState(), t.steps(),
                t.nonFiniteSkips(), t.nonFiniteParameters(), t.firstNonFinite());
        Progress stripped = new Progress(p.epoch(), p.step(), p.seconds(), p.bestDev(), p.bestEpoch(), p.records(),
                p.history(), p.batchRngState(), p.cyclers(), small);
        return new SemiCheckpoint(stripped, fingerprint, last, best, t.adam());
    }

    /** The trainer state with its Adam moments put back. */
    NoisyChannelTrainer.State trainerState() {
        NoisyChannelTrainer.State t = progress.trainer();
        return new NoisyChannelTrainer.State(adam, t.learningRates(), t.rngState(), t.steps(), t.nonFiniteSkips(),
                t.nonFiniteParameters(), t.firstNonFinite());
    }

    /** The file of {@code epoch}'s checkpoint in {@code dir}. */
    static Path file(Path dir, int epoch) {
        return dir.resolve(String.format(java.util.Locale.ROOT, "semi-%04d.ckpt", epoch));
    }

    /**
     * What a resumed run must share with the run that wrote the checkpoint: everything that shapes
     * the semi phase's models, data, sample stream and updates. Left out: the run's name and
     * places, {@code semi.epochs} (a run may be extended), test-time reranking, export, and the
     * supervised-only settings the semi phase does not read.
     */
    static String fingerprint(JobConfig cfg) {
        ObjectNode tree = JSON.valueToTree(cfg);
        for (String k : List.of("name", "runDir", "registryDir", "export", "lexicon", "pvae", "vqvae")) {
            tree.remove(k);
        }
        ObjectNode train = (ObjectNode) tree.get("train");
        for (String k : List.of("epochs", "maxSteps", "patience", "threads", "beamWidth")) {
            train.remove(k);
        }
        ObjectNode semi = (ObjectNode) tree.get("semi");
        semi.remove("epochs");
        semi.remove("rerank");
        try {
            return Json.LINE.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses a checkpoint written under another config, naming the settings that differ. */
    void checkFingerprint(String current, Path file) throws IOException {
        if (fingerprint.equals(current)) {
            return;
        }
        List<String> diff = new ArrayList<>();
        differences("", JSON.readTree(fingerprint), JSON.readTree(current), diff);
        throw new IllegalArgumentException("the semi-supervised checkpoint " + file + " was written with other settings ("
                + String.join(", ", diff) + "): run with the config that wrote it, or delete " + file.getParent()
                + " to start the semi phase again from the warm-up");
    }

    private static void differences(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                differences(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
            }
        } else if (a == null || !a.equals(b)) {
            out.add(path + ": " + a + " then, " + b + " now");
        }
    }

    /** Writes {@code epoch}'s checkpoint atomically, then drops the files older than the one before it. */
    void write(Path dir, int epoch) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            byte[] json = JSON.writeValueAsBytes(new Stored(progress, fingerprint));
            out.writeInt(json.length);
            out.write(json);
            out.writeInt(last.size());
            for (Map.Entry<String, Map<String, float[]>> e : last.entrySet()) {
                String c = e.getKey();
                out.writeUTF(c);
                writeArrays(out, e.getValue());
                Map<String, float[]> b = best.get(c);
                boolean same = b == e.getValue() || sameValues(b, e.getValue());
                out.writeBoolean(same);
                if (!same) {
                    writeArrays(out, b);
                }
                AdamMoments a = adam.get(c);
                out.writeLong(a.updates());
                out.writeLong(a.trainerStep());
                writeArrays(out, a.mean());
                writeArrays(out, a.variance());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        }
        AtomicFiles.write(file(dir, epoch), bytes.toByteArray());
        for (Path old : files(dir)) {
            if (epochOf(old) < epoch - 1) {
                Files.deleteIfExists(old);
            }
        }
    }

    /** Keeps only the newest checkpoint (after the phase ended: the fallback is no longer worth its space). */
    static void keepNewest(Path dir) throws IOException {
        List<Path> all = files(dir);
        for (int i = 1; i < all.size(); i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    /**
     * The newest readable checkpoint in {@code dir}, or null where there is none. A damaged file
     * (truncated, corrupt, of another format version) is skipped with a warning in favour of the
     * previous one; when every file is damaged the run is refused with each file's reason, rather
     * than silently training the phase again over them. Leftover temporary files of a write that
     * crashed are deleted.
     */
    static SemiCheckpoint latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, ".tmp-semi-*")) {
            for (Path t : tmp) {
                LOG.infof("deleting %s, left by a checkpoint write that did not finish", t);
                Files.deleteIfExists(t);
            }
        }
        List<Path> all = files(dir);
        List<String> damaged = new ArrayList<>();
        for (Path f : all) {
            try {
                SemiCheckpoint c = read(f);
                if (c.progress().epoch() != epochOf(f)) {
                    throw new IOException(f + ": holds epoch " + c.progress().epoch() + ", its name says " + epochOf(f));
                }
                if (!damaged.isEmpty()) {
                    LOG.warnf("semi phase: resuming from the previous checkpoint %s; skipped: %s", f, damaged);
                }
                return c;
            } catch (IOException e) {
                LOG.warnf("semi phase: checkpoint %s is not usable: %s", f, e.getMessage());
                damaged.add(e.getMessage());
            }
        }
        if (!damaged.isEmpty()) {
            throw new IOException("no usable semi-supervised checkpoint in " + dir + ": " + String.join("; ", damaged)
                    + ". Delete " + dir + " to start the semi phase again from the warm-up");
        }
        return null;
    }

    /** Reads and checks one file: length, checksum, format and version. */
    static SemiCheckpoint read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 20) {
            throw new IOException(file + ": truncated (" + bytes.length + " bytes)");
        }
        int body = bytes.length - Long.BYTES;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, body);
        if (crc.getValue() != ByteBuffer.wrap(bytes, body, Long.BYTES).getLong()) {
            throw new IOException(file + ": checksum mismatch, the file is truncated or corrupt");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, body))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + ": not a semi-supervised checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": checkpoint format " + version + ", this build reads " + VERSION);
            }
            byte[] json = in.readNBytes(in.readInt());
            Stored stored = JSON.readValue(json, Stored.class);
            int n = in.readInt();
            Map<String, Map<String, float[]>> last = new LinkedHashMap<>();
            Map<String, Map<String, float[]>> best = new LinkedHashMap<>();
            Map<String, AdamMoments> adam = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String c = in.readUTF();
                Map<String, float[]> l = readArrays(in);
                last.put(c, l);
                best.put(c, in.readBoolean() ? l : readArrays(in));
                long updates = in.readLong();
                long trainerStep = in.readLong();
                adam.put(c, new AdamMoments(updates, trainerStep, readArrays(in), readArrays(in)));
            }
            if (in.available() != 0) {
                throw new IOException(file + ": " + in.available() + " unexpected bytes after the content");
            }
            return new SemiCheckpoint(stored.progress(), stored.fingerprint(), last, best, adam);
        } catch (EOFException e) {
            throw new IOException(file + ": ends early", e);
        }
    }

    /** The JSON part of the file. */
    private record Stored(Progress progress, String fingerprint) {}

    /** The checkpoint files in {@code dir}, newest epoch first. */
    private static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "semi-*.ckpt")) {
            for (Path p : s) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingInt(SemiCheckpoint::epochOf).reversed());
        return out;
    }

    private static int epochOf(Path f) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint name: " + f);
        }
        return Integer.parseInt(m.group(1));
    }

    private static boolean sameValues(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            // bitwise (NaN-safe) equality: "same" must mean the reader gets these very values
            if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static void writeArrays(DataOutputStream out, Map<String, float[]> arrays) throws IOException {
        out.writeInt(arrays.size());
        for (Map.Entry<String, float[]> e : arrays.entrySet()) {
            out.writeUTF(e.getKey());
            float[] v = e.getValue();
            out.writeInt(v.length);
            ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES);
            buf.asFloatBuffer().put(v);
            out.write(buf.array());
        }
    }

    private static Map<String, float[]> readArrays(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int len = in.readInt();
            if (len < 0 || (long) len * Float.BYTES > in.available()) {
                throw new IOException("array " + name + " of " + len + " values runs past the end of the file");
            }
            float[] v = new float[len];
            ByteBuffer.wrap(in.readNBytes(len * Float.BYTES)).asFloatBuffer().get(v);
            out.put(name, v);
        }
        return out;
    }
}
