package io.crossmodal.trainer.family.vqvae.eval;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.lifecycle.gate.RatioMetric;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VQ-VAE bundle scored for the job report and the promotion gate through the served code path (its
 * ONNX graphs in ONNX Runtime): the study's measurements ({@link VqvaeEvaluator}) of the frozen latents
 * as the encoder-service returns them (unit vectors for VQ, latents otherwise), with per-example values
 * for the gate's paired bootstrap. The examples are every recording (train then test); each per-example
 * metric counts only its own test examples (denominator 0 elsewhere):
 * <ul>
 * <li>{@code digit_probe_accuracy}: linear probe trained on the other speakers' recordings, tested on the
 * held-out speakers' (first, the default bootstrap metric);</li>
 * <li>{@code speaker_probe_accuracy}: linear probe trained on training takes, tested on test takes (lower
 * is better separation; chance is {@code speaker_chance});</li>
 * <li>{@code recon_mse}: free-running reconstruction error of the test recordings in the true voice,
 * in standardised log-mel units (sum of squares over values).</li>
 * </ul>
 * Plus {@code codebook_perplexity}, {@code dead_codes}, {@code bits_per_second} and
 * {@code entropy_bits_per_second} for VQ bundles, and {@code latent_rate_hz}.
 */
public final class VqvaeScores {

    private final VqvaeData data;
    private final List<String> heldOutSpeakers;
    private final double meanSeconds;
    private final long seed;

    public VqvaeScores(VqvaeData data, List<String> heldOutSpeakers, double meanSeconds, long seed) {
        this.data = data;
        this.heldOutSpeakers = List.copyOf(heldOutSpeakers);
        this.meanSeconds = meanSeconds;
        this.seed = seed;
    }

    /** The last two speakers (of the sorted list) are held out of the digit probe, as in {@code vqvae-train}. */
    public static List<String> heldOut(VqvaeData data) {
        List<String> s = data.speakers();
        return s.subList(Math.max(0, s.size() - 2), s.size());
    }

    /** {@code codes}: the codebook size K of the bundle (0 unless VQ). */
    public ComponentScores score(OrtVqvae ort, int codes, NDManager manager) {
        List<SpokenDigit> all = new ArrayList<>(data.train());
        all.addAll(data.test());
        int n = all.size();
        int nTrain = data.train().size();
        float[][] vectors = new float[n][];
        long[][] ids = ort.quantised() ? new long[n][] : null;
        float[][][] latents = new float[n][][];
        for (int s = 0; s < n; s += 100) {
            List<SpokenDigit> batch = all.subList(s, Math.min(n, s + 100));
            OrtVqvae.Encoded e = ort.encode(raw(batch));
            float[][][] z = ort.quantised() ? e.units() : e.latents();
            for (int i = 0; i < batch.size(); i++) {
                latents[s + i] = z[i];
                vectors[s + i] = flatten(z[i]);
                if (ids != null) {
                    ids[s + i] = e.ids()[i];
                }
            }
        }
        List<String> exampleIds = new ArrayList<>();
        all.forEach(d -> exampleIds.add(d.digit() + "_" + d.speaker() + "_" + d.take()));

        // digit probe across speakers
        List<float[]> dTrX = new ArrayList<>();
        List<Integer> dTrY = new ArrayList<>();
        List<Integer> dTe = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (heldOutSpeakers.contains(all.get(i).speaker())) {
                dTe.add(i);
            } else {
                dTrX.add(vectors[i]);
                dTrY.add(all.get(i).digit());
            }
        }
        if (dTrX.isEmpty() || dTe.isEmpty()) {
            throw new IllegalArgumentException("the digit probe needs speakers besides the held-out " + heldOutSpeakers
                    + " (the data has " + data.speakers() + ")");
        }
        long[] dPred = Probe.predict(dTrX.toArray(float[][]::new), dTrY.stream().mapToInt(Integer::intValue).toArray(),
                dTe.stream().map(i -> vectors[i]).toArray(float[][]::new), 10, 0, VqvaeEvaluator.LINEAR_EPOCHS, seed, manager);
        double[] digitNum = new double[n];
        double[] digitDen = new double[n];
        for (int k = 0; k < dTe.size(); k++) {
            int i = dTe.get(k);
            digitDen[i] = 1;
            digitNum[i] = dPred[k] == all.get(i).digit() ? 1 : 0;
        }

        // speaker probe: training takes -> test takes
        int[] spTrY = data.train().stream().mapToInt(d -> data.speakerIndex(d.speaker())).toArray();
        int speakers = data.speakers().size();
        long[] sPred = Probe.predict(java.util.Arrays.copyOfRange(vectors, 0, nTrain), spTrY,
                java.util.Arrays.copyOfRange(vectors, nTrain, n), speakers, 0, VqvaeEvaluator.LINEAR_EPOCHS, seed, manager);
        double[] spkNum = new double[n];
        double[] spkDen = new double[n];
        for (int i = nTrain; i < n; i++) {
            spkDen[i] = 1;
            spkNum[i] = sPred[i - nTrain] == data.speakerIndex(all.get(i).speaker()) ? 1 : 0;
        }

        // free-running reconstruction of the test recordings in their own voice, standardised units
        double[] recNum = new double[n];
        double[] recDen = new double[n];
        float[] mean = data.mean();
        float[] std = data.std();
        int mel = data.melBins();
        for (int s = nTrain; s < n; s += 100) {
            int e = Math.min(n, s + 100);
            float[][][] lat = java.util.Arrays.copyOfRange(latents, s, e);
            long[] spk = new long[e - s];
            for (int i = s; i < e; i++) {
                spk[i - s] = data.speakerIndex(all.get(i).speaker());
            }
            float[][][] gen = ort.generate(lat, spk);
            for (int i = s; i < e; i++) {
                float[] x = all.get(i).features();
                double sq = 0;
                for (int t = 0; t < gen[i - s].length; t++) {
                    for (int b = 0; b < mel; b++) {
                        double d = (gen[i - s][t][b] - x[t * mel + b]) / std[b];
                        sq += d * d;
                    }
                }
                recNum[i] = sq;
                recDen[i] = x.length;
            }
        }
        Map<String, RatioMetric> per = new LinkedHashMap<>();
        per.put("digit_probe_accuracy", new RatioMetric(digitNum, digitDen));
        per.put("speaker_probe_accuracy", new RatioMetric(spkNum, spkDen));
        per.put("recon_mse", new RatioMetric(recNum, recDen));

        Map<String, Double> extra = new LinkedHashMap<>();
        extra.put("speaker_chance", 1.0 / speakers);
        double rate = data.frames() / (double) ort.downsample() / meanSeconds;
        extra.put("latent_rate_hz", rate);
        if (ids != null) {
            long[] counts = new long[codes];
            long[] testCounts = new long[codes];
            for (int i = 0; i < n; i++) {
                for (long id : ids[i]) {
                    counts[(int) id]++;
                    if (i >= nTrain) {
                        testCounts[(int) id]++;
                    }
                }
            }
            int dead = 0;
            for (long c : counts) {
                dead += c == 0 ? 1 : 0;
            }
            double perplexity = VqvaeEvaluator.perplexity(testCounts);
            extra.put("codebook_perplexity", perplexity);
            extra.put("dead_codes", (double) dead);
            extra.put("bits_per_second", rate * Math.log(codes) / Math.log(2));
            extra.put("entropy_bits_per_second", rate * Math.log(perplexity) / Math.log(2));
        }
        return ComponentScores.of(exampleIds, per, extra);
    }

    private float[][][] raw(List<SpokenDigit> batch) {
        int t = data.frames();
        int mel = data.melBins();
        float[][][] out = new float[batch.size()][t][mel];
        for (int i = 0; i < batch.size(); i++) {
            float[] f = batch.get(i).features();
            for (int k = 0; k < t; k++) {
                System.arraycopy(f, k * mel, out[i][k], 0, mel);
            }
        }
        return out;
    }

    private static float[] flatten(float[][] z) {
        float[] out = new float[z.length * z[0].length];
        for (int i = 0; i < z.length; i++) {
            System.arraycopy(z[i], 0, out, i * z[i].length, z[i].length);
        }
        return out;
    }
}
