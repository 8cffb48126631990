package io.crossmodal.trainer.family.pvae.eval;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.RatioMetric;
import io.crossmodal.trainer.family.pvae.data.DigitImage;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The gate's view of a PVAE on TEST data, through its ONNX graphs: the study's metrics
 * ({@link PvaeEvaluator}: k-means purity of each latent against the digit, speaker purity of the
 * speech latents, cross-modal accuracy) as {@link RatioMetric}s with one value per test example, so the
 * paired bootstrap can resample examples. The examples are the test recordings ({@code speech/...})
 * followed by the test images ({@code image/...}); a speech metric counts only recordings (denominator 0
 * on images) and an image metric only images. A purity's per-example value is 1 when the example's label
 * is its cluster's majority label (the clustering itself is held fixed under resampling). The first
 * metric, {@code crossmodal_accuracy}, is the default bootstrap metric (higher is better). A latent
 * that is not finite (a diverged model) scores 0 everywhere.
 */
public final class PvaeScores {

    private final PvaeData data;
    private final DigitClassifier classifier;
    private final NDManager manager;
    private final long seed;

    public PvaeScores(PvaeData data, DigitClassifier classifier, NDManager manager, long seed) {
        this.data = data;
        this.classifier = classifier;
        this.manager = manager;
        this.seed = seed;
    }

    /** The example ids, in order: test recordings, then test images. */
    public static List<String> exampleIds(PvaeData data) {
        List<String> ids = new ArrayList<>();
        for (SpokenDigit s : data.speechTest()) {
            ids.add("speech/" + s.digit() + "_" + s.speaker() + "_" + s.take());
        }
        for (DigitImage d : data.imageTest()) {
            ids.add("image/" + d.index());
        }
        return ids;
    }

    public ComponentScores score(OrtPvae ort, Map<String, Double> extra) {
        List<SpokenDigit> speech = data.speechTest();
        List<DigitImage> images = data.imageTest();
        int ns = speech.size();
        int n = ns + images.size();
        int[] speechDigits = speech.stream().mapToInt(SpokenDigit::digit).toArray();
        List<String> speakers = new ArrayList<>(new TreeSet<>(speech.stream().map(SpokenDigit::speaker).toList()));
        int[] speakerIds = speech.stream().mapToInt(s -> speakers.indexOf(s.speaker())).toArray();
        int[] imageDigits = images.stream().mapToInt(DigitImage::digit).toArray();
        Latents sl = ort.hasSpeech() ? ort.encodeSpeech(frames(speech)) : null;
        float[][] pixels = images.stream().map(DigitImage::pixels).toArray(float[][]::new);
        Latents il = ort.hasImages() ? ort.encodeImages(pixels) : null;
        Map<String, RatioMetric> per = new LinkedHashMap<>();
        if (sl != null && il != null) {
            per.put("crossmodal_accuracy", crossModal(ort, sl, il, speechDigits, n));
        }
        if (sl != null) {
            per.put("speech_shared_purity", purity(sl.sharedMean(), speechDigits, 10, 0, n));
            per.put("speech_shared_speaker_purity", purity(sl.sharedMean(), speakerIds, speakers.size(), 0, n));
            if (sl.hasStyle()) {
                per.put("speech_style_purity", purity(sl.styleMean(), speechDigits, 10, 0, n));
                per.put("speech_style_speaker_purity", purity(sl.styleMean(), speakerIds, speakers.size(), 0, n));
            }
        }
        if (il != null) {
            per.put("image_shared_purity", purity(il.sharedMean(), imageDigits, 10, ns, n));
            if (il.hasStyle()) {
                per.put("image_style_purity", purity(il.styleMean(), imageDigits, 10, ns, n));
            }
        }
        return ComponentScores.of(exampleIds(data), per, extra);
    }

    /** Images generated from each test recording's shared latent, styled by a random test image, read by the classifier. */
    private RatioMetric crossModal(OrtPvae ort, Latents sl, Latents il, int[] speechDigits, int n) {
        Random rnd = new Random(seed);
        float[][] style = null;
        if (il.hasStyle()) {
            style = new float[speechDigits.length][];
            for (int i = 0; i < style.length; i++) {
                style[i] = il.styleMean()[rnd.nextInt(il.size())];
            }
        }
        double[] num = new double[n];
        double[] den = new double[n];
        if (finite(sl.sharedMean()) && (style == null || finite(style))) {
            int[] read = classifier.predict(ort.decodeImages(sl.sharedMean(), style), manager);
            for (int i = 0; i < read.length; i++) {
                num[i] = read[i] == speechDigits[i] ? 1 : 0;
            }
        }
        for (int i = 0; i < speechDigits.length; i++) {
            den[i] = 1;
        }
        return new RatioMetric(num, den);
    }

    /** Majority membership of examples {@code offset .. offset + x.length} among {@code n}; 0 elsewhere. */
    private RatioMetric purity(float[][] x, int[] labels, int k, int offset, int n) {
        double[] num = new double[n];
        double[] den = new double[n];
        for (int i = 0; i < x.length; i++) {
            den[offset + i] = 1;
        }
        if (finite(x) && x.length >= k) {
            int[] clusters = KMeansPurity.cluster(PvaeEvaluator.toDouble(x), labels, k, seed).clusters();
            double[] member = KMeansPurity.majorityMembers(clusters, labels);
            System.arraycopy(member, 0, num, offset, member.length);
        }
        return new RatioMetric(num, den);
    }

    private static boolean finite(float[][] x) {
        for (float[] row : x) {
            for (float v : row) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    private float[][][] frames(List<SpokenDigit> speech) {
        float[][][] out = new float[speech.size()][data.frames()][data.melBins()];
        for (int i = 0; i < speech.size(); i++) {
            float[] f = speech.get(i).features();
            for (int t = 0; t < data.frames(); t++) {
                System.arraycopy(f, t * data.melBins(), out[i][t], 0, data.melBins());
            }
        }
        return out;
    }
}
