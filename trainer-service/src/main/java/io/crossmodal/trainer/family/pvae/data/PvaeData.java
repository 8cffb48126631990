package io.crossmodal.trainer.family.pvae.data;

import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of one PVAE job: spoken digits (features from the shared front end) and written
 * digits, each split into train and test as their loaders document, plus the speech
 * standardisation learnt on the training recordings (per mel bin, over all frames).
 *
 * @param classifierTrain every MNIST training image (the PVAE's may be capped), for the digit classifier
 * @param synthetic true when the spoken digits were synthesised by espeak-ng
 */
public record PvaeData(List<SpokenDigit> speechTrain, List<SpokenDigit> speechTest, List<DigitImage> imageTrain,
        List<DigitImage> imageTest, List<DigitImage> classifierTrain, Normalizer speechNorm, int frames, int melBins, boolean synthetic, String speechSource) {

    public static PvaeData load(PvaeConfig cfg) throws IOException {
        SpeechFeatures features = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, cfg.frames());
        Path dir;
        boolean synthetic = cfg.speechDir() == null;
        if (synthetic) {
            dir = EspeakDigits.synthesise(CmuDictSource.defaultCacheDir().resolveSibling("espeak-digits-" + cfg.synthTakes()),
                    cfg.synthTakes());
        } else {
            dir = Path.of(cfg.speechDir());
        }
        FsddLoader.Split speech = FsddLoader.load(dir, features);
        MnistSource.Split images = cfg.mnistPath() == null ? MnistSource.load() : MnistSource.fromPath(Path.of(cfg.mnistPath()));
        List<DigitImage> train = capPerDigit(images.train(), cfg.maxTrainImages());
        return new PvaeData(speech.train(), speech.test(), train, images.test(), images.train(),
                normalizer(speech.train(), cfg.frames(), features.melBins()), cfg.frames(), features.melBins(), synthetic,
                (synthetic ? "SYNTHETIC espeak-ng digits in " : "") + dir.toAbsolutePath());
    }

    /** At most {@code max} images in all, the same number per digit, in source order (0 keeps all). */
    static List<DigitImage> capPerDigit(List<DigitImage> images, int max) {
        if (max == 0 || images.size() <= max) {
            return images;
        }
        int perDigit = max / 10;
        int[] taken = new int[10];
        List<DigitImage> out = new ArrayList<>();
        for (DigitImage d : images) {
            if (taken[d.digit()]++ < perDigit) {
                out.add(d);
            }
        }
        return out;
    }

    static Normalizer normalizer(List<SpokenDigit> train, int frames, int bins) {
        double[] sum = new double[bins];
        double[] sq = new double[bins];
        long n = 0;
        for (SpokenDigit s : train) {
            for (int t = 0; t < frames; t++) {
                for (int b = 0; b < bins; b++) {
                    double v = s.features()[t * bins + b];
                    sum[b] += v;
                    sq[b] += v * v;
                }
            }
            n += frames;
        }
        float[] mean = new float[frames * bins];
        float[] std = new float[frames * bins];
        for (int b = 0; b < bins; b++) {
            double m = sum[b] / n;
            double sd = Math.sqrt(Math.max(sq[b] / n - m * m, 0));
            for (int t = 0; t < frames; t++) {
                mean[t * bins + b] = (float) m;
                std[t * bins + b] = (float) Math.max(sd, 1e-3);
            }
        }
        return new Normalizer(mean, std);
    }

    /**
     * SHA-256 fingerprints of the data as the model saw it ({@code train}: training recordings and images;
     * {@code test}: test recordings and images; {@code split}: both, the value the promotion gate checks):
     * labels, speakers, takes, image indices and every feature value, so a changed front end or data set
     * shows as another fingerprint.
     */
    public java.util.Map<String, String> fingerprints() {
        String train = hash(speechTrain, imageTrain);
        String test = hash(speechTest, imageTest);
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("split", sha256((train + "/" + test).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        out.put("train", train);
        out.put("test", test);
        return out;
    }

    private static String hash(List<SpokenDigit> speech, List<DigitImage> images) {
        java.security.MessageDigest md = digest();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        for (SpokenDigit s : speech) {
            md.update((s.digit() + "_" + s.speaker() + "_" + s.take() + ";").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            floats(md, s.features());
        }
        for (DigitImage d : images) {
            b.clear();
            md.update(b.putInt(d.digit()).putInt(d.index()).array(), 0, 8);
            floats(md, d.pixels());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static void floats(java.security.MessageDigest md, float[] x) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        md.update(b.array());
    }

    private static String sha256(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static java.security.MessageDigest digest() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Standardised speech features of one recording. */
    public float[] normalized(SpokenDigit s) {
        float[] x = s.features();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - speechNorm.mean()[i]) / speechNorm.std()[i];
        }
        return out;
    }
}
