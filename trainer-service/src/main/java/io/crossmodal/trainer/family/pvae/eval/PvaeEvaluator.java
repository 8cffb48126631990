package io.crossmodal.trainer.family.pvae.eval;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.trainer.family.pvae.data.DigitImage;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Scores a trained model through its exported ONNX graphs (the serving path) on TEST data only:
 * k-means (k = 10) purity of every latent from the unimodal encoders against the digit, speaker
 * purity (k = number of speakers) of the speech latents, and cross-modal accuracy: the share of
 * images generated from test spoken digits (shared latent from the speech encoder, style from a
 * random test image) that the digit classifier reads as the spoken digit. Optionally draws the
 * figures.
 */
public final class PvaeEvaluator {

    private final PvaeData data;
    private final DigitClassifier classifier;
    private final NDManager manager;
    private final long seed;

    public PvaeEvaluator(PvaeData data, DigitClassifier classifier, NDManager manager, long seed) {
        this.data = data;
        this.classifier = classifier;
        this.manager = manager;
        this.seed = seed;
    }

    public Map<String, Double> evaluate(OrtPvae ort, Path figures, String label) throws IOException {
        Map<String, Double> m = new LinkedHashMap<>();
        List<SpokenDigit> speech = data.speechTest();
        List<DigitImage> images = data.imageTest();
        int[] speechDigits = speech.stream().mapToInt(SpokenDigit::digit).toArray();
        List<String> speakers = new ArrayList<>(new TreeSet<>(speech.stream().map(SpokenDigit::speaker).toList()));
        int[] speakerIds = speech.stream().mapToInt(s -> speakers.indexOf(s.speaker())).toArray();
        int[] imageDigits = images.stream().mapToInt(DigitImage::digit).toArray();
        Latents sl = ort.hasSpeech() ? ort.encodeSpeech(frames(speech)) : null;
        float[][] pixels = images.stream().map(DigitImage::pixels).toArray(float[][]::new);
        Latents il = ort.hasImages() ? ort.encodeImages(pixels) : null;
        Map<String, double[]> inertia = new LinkedHashMap<>();
        if (sl != null) {
            m.put("speech_shared_purity", purity(sl.sharedMean(), speechDigits, 10));
            m.put("speech_shared_speaker_purity", purity(sl.sharedMean(), speakerIds, speakers.size()));
            inertia.put("speech z_s", inertiaCurve(sl.sharedMean()));
            if (sl.hasStyle()) {
                m.put("speech_style_purity", purity(sl.styleMean(), speechDigits, 10));
                m.put("speech_style_speaker_purity", purity(sl.styleMean(), speakerIds, speakers.size()));
                inertia.put("speech z_a", inertiaCurve(sl.styleMean()));
            }
        }
        if (il != null) {
            m.put("image_shared_purity", purity(il.sharedMean(), imageDigits, 10));
            inertia.put("image z_s", inertiaCurve(il.sharedMean()));
            if (il.hasStyle()) {
                m.put("image_style_purity", purity(il.styleMean(), imageDigits, 10));
                inertia.put("image z_i", inertiaCurve(il.styleMean()));
            }
        }
        Random rnd = new Random(seed);
        if (sl != null && il != null) {
            float[][] style = null;
            if (il.hasStyle()) {
                style = new float[speech.size()][];
                for (int i = 0; i < style.length; i++) {
                    style[i] = il.styleMean()[rnd.nextInt(images.size())];
                }
            }
            int[] read = classifier.predict(ort.decodeImages(sl.sharedMean(), style), manager);
            int right = 0;
            for (int i = 0; i < read.length; i++) {
                right += read[i] == speechDigits[i] ? 1 : 0;
            }
            m.put("crossmodal_accuracy", (double) right / read.length);
        }
        if (figures != null) {
            draw(ort, figures, label, sl, il, speechDigits, speakerIds, speakers, imageDigits, inertia, pixels);
        }
        return m;
    }

    private void draw(OrtPvae ort, Path dir, String label, Latents sl, Latents il, int[] speechDigits, int[] speakerIds,
            List<String> speakers, int[] imageDigits, Map<String, double[]> inertia, float[][] pixels) throws IOException {
        Figures.inertia(inertia, 1, "k-means inertia of test latents (" + label + ")", dir.resolve(label + "-inertia.png"));
        List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        int nImg = Math.min(600, pixels.length);
        if (sl != null) {
            Figures.scatter(tsne(sl.sharedMean()), speechDigits, digits, "speech z_s by digit (" + label + ")",
                    dir.resolve(label + "-tsne-speech-shared-digit.png"));
            Figures.scatter(tsne(sl.sharedMean()), speakerIds, speakers, "speech z_s by speaker (" + label + ")",
                    dir.resolve(label + "-tsne-speech-shared-speaker.png"));
            if (sl.hasStyle()) {
                Figures.scatter(tsne(sl.styleMean()), speakerIds, speakers, "speech z_a by speaker (" + label + ")",
                        dir.resolve(label + "-tsne-speech-style-speaker.png"));
                Figures.scatter(tsne(sl.styleMean()), speechDigits, digits, "speech z_a by digit (" + label + ")",
                        dir.resolve(label + "-tsne-speech-style-digit.png"));
            }
        }
        if (il != null) {
            Figures.scatter(tsne(head(il.sharedMean(), nImg)), imageDigits, digits, "image z_s by digit (" + label + ")",
                    dir.resolve(label + "-tsne-image-shared-digit.png"));
            if (il.hasStyle()) {
                Figures.scatter(tsne(head(il.styleMean(), nImg)), imageDigits, digits, "image z_i by digit (" + label + ")",
                        dir.resolve(label + "-tsne-image-style-digit.png"));
            }
        }
        if (sl == null || il == null) {
            return;
        }
        // cross-modal grid: one test recording per digit (rows), 8 test images as style references (columns)
        Random rnd = new Random(seed + 1);
        int cols = 8;
        int[] refs = new int[cols];
        for (int c = 0; c < cols; c++) {
            refs[c] = rnd.nextInt(pixels.length);
        }
        float[][] colHeaders = new float[cols][];
        for (int c = 0; c < cols; c++) {
            colHeaders[c] = pixels[refs[c]];
        }
        int[] rowSpeech = firstOfEachDigit(speechDigits);
        float[][][] cells = new float[10][cols][];
        float[][] rowHeaders = new float[10][];
        float[][][] speechFrames = frames(data.speechTest());
        for (int r = 0; r < 10; r++) {
            rowHeaders[r] = Figures.thumbnail(speechFrames[rowSpeech[r]]);
            float[][] shared = new float[cols][];
            float[][] style = il.hasStyle() ? new float[cols][] : null;
            for (int c = 0; c < cols; c++) {
                shared[c] = sl.sharedMean()[rowSpeech[r]];
                if (style != null) {
                    style[c] = il.styleMean()[refs[c]];
                }
            }
            cells[r] = ort.decodeImages(shared, style);
        }
        Figures.imageGrid(cells, rowHeaders, colHeaders, dir.resolve(label + "-crossmodal-grid.png"));
        // style transfer within images: content (rows) from one test image per digit, style (columns) from the references
        int[] rowImage = firstOfEachDigit(imageDigits);
        float[][][] st = new float[10][cols][];
        float[][] stRows = new float[10][];
        for (int r = 0; r < 10; r++) {
            stRows[r] = pixels[rowImage[r]];
            float[][] shared = new float[cols][];
            float[][] style = il.hasStyle() ? new float[cols][] : null;
            for (int c = 0; c < cols; c++) {
                shared[c] = il.sharedMean()[rowImage[r]];
                if (style != null) {
                    style[c] = il.styleMean()[refs[c]];
                }
            }
            st[r] = ort.decodeImages(shared, style);
        }
        Figures.imageGrid(st, stRows, colHeaders, dir.resolve(label + "-style-transfer-grid.png"));
    }

    private static int[] firstOfEachDigit(int[] labels) {
        int[] out = new int[10];
        java.util.Arrays.fill(out, -1);
        for (int i = 0; i < labels.length; i++) {
            if (out[labels[i]] < 0) {
                out[labels[i]] = i;
            }
        }
        for (int d = 0; d < 10; d++) {
            if (out[d] < 0) {
                out[d] = 0;
            }
        }
        return out;
    }

    private static float[][] head(float[][] x, int n) {
        return java.util.Arrays.copyOf(x, Math.min(n, x.length));
    }

    /** NaN when a latent is not finite (a diverged model): reported as such instead of failing the study. */
    private double purity(float[][] x, int[] labels, int k) {
        if (!finite(x)) {
            return Double.NaN;
        }
        return KMeansPurity.cluster(toDouble(x), labels, k, seed).purity();
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

    private double[] inertiaCurve(float[][] x) {
        double[][] d = toDouble(x);
        double[] out = new double[15];
        if (!finite(x)) {
            java.util.Arrays.fill(out, Double.NaN);
            return out;
        }
        for (int k = 1; k <= out.length; k++) {
            out[k - 1] = KMeansPurity.cluster(d, null, k, seed).inertia();
        }
        return out;
    }

    private static double[][] tsne(float[][] x) {
        double[][] d = toDouble(x);
        return new smile.manifold.TSNE(d, 2, Math.min(30, (d.length - 1) / 3.0), 200, 1000).coordinates;
    }

    static double[][] toDouble(float[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = x[i][j];
            }
        }
        return out;
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
