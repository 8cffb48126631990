package io.crossmodal.trainer.family.vqvae.data;

import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.trainer.family.pvae.data.FsddLoader;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The spoken digits of an FSDD directory through the shared loader and speech front end (the
 * services' front end too: no train/serve skew), with the speaker list (from {@code speakers.tsv}
 * where present, else from the file names, sorted) and a per-mel-bin standardisation fitted on
 * the training split.
 */
public final class VqvaeData {

    private final List<SpokenDigit> train;
    private final List<SpokenDigit> test;
    private final List<String> speakers;
    private final float[] mean;
    private final float[] std;
    private final int frames;
    private final int melBins;
    private final FbankConfig fbank;

    public VqvaeData(List<SpokenDigit> train, List<SpokenDigit> test, List<String> speakers, int frames, int melBins,
            FbankConfig fbank) {
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
        this.speakers = List.copyOf(speakers);
        this.frames = frames;
        this.melBins = melBins;
        this.fbank = fbank;
        this.mean = new float[melBins];
        this.std = new float[melBins];
        double[] s = new double[melBins];
        double[] sq = new double[melBins];
        long n = 0;
        for (SpokenDigit d : train) {
            float[] f = d.features();
            for (int i = 0; i < f.length; i++) {
                s[i % melBins] += f[i];
                sq[i % melBins] += (double) f[i] * f[i];
            }
            n += frames;
        }
        for (int b = 0; b < melBins; b++) {
            double m = s[b] / n;
            mean[b] = (float) m;
            std[b] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sq[b] / n - m * m)));
        }
        for (SpokenDigit d : test) {
            speakerIndex(d.speaker());
        }
    }

    public static FbankConfig fbank(VqvaeConfig cfg) {
        FbankConfig d = FbankConfig.DEFAULT;
        return new FbankConfig(cfg.melBins(), d.windowMs(), d.hopMs(), d.fMinHz(), d.fMaxHz(), d.trimDb());
    }

    public static SpeechFeatures features(VqvaeConfig cfg) {
        return new SpeechFeatures(fbank(cfg), AudioLimits.DEFAULT, cfg.frames());
    }

    public static VqvaeData load(VqvaeConfig cfg) throws IOException {
        Path dir = Path.of(cfg.speechDir());
        FsddLoader.Split split = FsddLoader.load(dir, features(cfg));
        return new VqvaeData(split.train(), split.test(), speakers(dir, split), cfg.frames(), cfg.melBins(), fbank(cfg));
    }

    private static List<String> speakers(Path dir, FsddLoader.Split split) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        Path tsv = dir.resolve("speakers.tsv");
        if (Files.isRegularFile(tsv)) {
            for (String line : Files.readAllLines(tsv)) {
                String name = line.split("\t", 2)[0].trim();
                if (!name.isEmpty() && !name.equals("speaker")) {
                    names.add(name);
                }
            }
        }
        split.train().forEach(d -> names.add(d.speaker()));
        split.test().forEach(d -> names.add(d.speaker()));
        return new ArrayList<>(names);
    }

    /** Standardised frames [frames * melBins] of one recording. */
    public float[] normalized(SpokenDigit d) {
        return normalize(d.features(), mean, std);
    }

    public static float[] normalize(float[] raw, float[] mean, float[] std) {
        float[] out = new float[raw.length];
        int bins = mean.length;
        for (int i = 0; i < raw.length; i++) {
            out[i] = (raw[i] - mean[i % bins]) / std[i % bins];
        }
        return out;
    }

    public int speakerIndex(String speaker) {
        int i = speakers.indexOf(speaker);
        if (i < 0) {
            throw new IllegalArgumentException("speaker " + speaker + " is not in the speaker list " + speakers);
        }
        return i;
    }

    public List<SpokenDigit> train() {
        return train;
    }

    public List<SpokenDigit> test() {
        return test;
    }

    public List<String> speakers() {
        return speakers;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public int frames() {
        return frames;
    }

    public int melBins() {
        return melBins;
    }

    public FbankConfig fbank() {
        return fbank;
    }

    /**
     * SHA-256 fingerprints of the data as the model saw it ({@code train}, {@code test}, and {@code split}:
     * both plus the speaker list, the value the promotion gate checks): digits, speakers, takes and every
     * feature value, so a changed front end or data set shows as another fingerprint.
     */
    public Map<String, String> fingerprints() {
        String tr = hash(train);
        String te = hash(test);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("split", HexFormat.of().formatHex(digest().digest((tr + "/" + te + "/" + String.join(",", speakers))
                .getBytes(StandardCharsets.UTF_8))));
        out.put("train", tr);
        out.put("test", te);
        return out;
    }

    private static String hash(List<SpokenDigit> list) {
        MessageDigest md = digest();
        for (SpokenDigit s : list) {
            md.update((s.digit() + "_" + s.speaker() + "_" + s.take() + ";").getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(4 * s.features().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(s.features());
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
