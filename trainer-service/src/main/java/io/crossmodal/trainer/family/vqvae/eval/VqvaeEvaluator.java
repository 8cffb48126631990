package io.crossmodal.trainer.family.vqvae.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The study's measurements of one trained model, on its frozen latents (no jitter, the VAE's
 * posterior mean, the VQ's chosen codes): digit and speaker probes (linear and MLP), the
 * reconstruction error (teacher-forced and free-running, standardised log-mel units), and for the
 * VQ bottleneck codebook perplexity, dead codes and the bit rate.
 * <ul>
 * <li>digit probe: trained on every recording of the other speakers, tested on the held-out speakers';</li>
 * <li>speaker probe: trained on the training takes, tested on the test takes (chance 1 / speakers).</li>
 * </ul>
 * A probe's input is the utterance's latent sequence, flattened [L * D].
 */
public final class VqvaeEvaluator {

    public static final int LINEAR_EPOCHS = 300;
    public static final int MLP_EPOCHS = 300;
    public static final int MLP_HIDDEN = 64;

    private final VqvaeData data;
    private final List<String> heldOutSpeakers;
    private final double meanSeconds;

    /** {@code meanSeconds}: the mean trimmed duration of the recordings, which the fixed frame count spans. */
    public VqvaeEvaluator(VqvaeData data, List<String> heldOutSpeakers, double meanSeconds) {
        this.data = data;
        this.heldOutSpeakers = List.copyOf(heldOutSpeakers);
        this.meanSeconds = meanSeconds;
    }

    /** Latents of a list of recordings: flattened vectors, and the code ids (null unless VQ). */
    public record Latents(float[][] vectors, long[][] ids) {}

    public Latents latents(VqvaeNet net, List<SpokenDigit> list, NDManager manager) {
        float[][] vectors = new float[list.size()][];
        long[][] ids = net.codebook() == null ? null : new long[list.size()][];
        for (int s = 0; s < list.size(); s += 200) {
            List<SpokenDigit> batch = list.subList(s, Math.min(list.size(), s + 200));
            try (NDManager m = manager.newSubManager()) {
                VqvaeNet.Bottleneck b = net.bottleneck(VqvaeTrainer.frames(m, batch, data), false, new Random(0));
                float[] z = b.z().toFloatArray();
                int per = z.length / batch.size();
                long[] id = b.ids() == null ? null : b.ids().toLongArray();
                int l = net.config().latents();
                for (int i = 0; i < batch.size(); i++) {
                    vectors[s + i] = java.util.Arrays.copyOfRange(z, i * per, (i + 1) * per);
                    if (ids != null) {
                        ids[s + i] = java.util.Arrays.copyOfRange(id, i * l, (i + 1) * l);
                    }
                }
            }
        }
        return new Latents(vectors, ids);
    }

    public Map<String, Double> evaluate(VqvaeNet net, NDManager manager, long seed) {
        VqvaeConfig cfg = net.config();
        Map<String, Double> out = new LinkedHashMap<>();
        List<SpokenDigit> all = new ArrayList<>(data.train());
        all.addAll(data.test());
        Latents lat = latents(net, all, manager);
        int nTrain = data.train().size();
        // digit probe across speakers
        List<float[]> dTrX = new ArrayList<>();
        List<Integer> dTrY = new ArrayList<>();
        List<float[]> dTeX = new ArrayList<>();
        List<Integer> dTeY = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            boolean held = heldOutSpeakers.contains(all.get(i).speaker());
            (held ? dTeX : dTrX).add(lat.vectors()[i]);
            (held ? dTeY : dTrY).add(all.get(i).digit());
        }
        float[][] spTrX = java.util.Arrays.copyOfRange(lat.vectors(), 0, nTrain);
        float[][] spTeX = java.util.Arrays.copyOfRange(lat.vectors(), nTrain, all.size());
        int[] spTrY = data.train().stream().mapToInt(d -> data.speakerIndex(d.speaker())).toArray();
        int[] spTeY = data.test().stream().mapToInt(d -> data.speakerIndex(d.speaker())).toArray();
        float[][] dtx = dTrX.toArray(float[][]::new);
        float[][] dex = dTeX.toArray(float[][]::new);
        int[] dty = dTrY.stream().mapToInt(Integer::intValue).toArray();
        int[] dey = dTeY.stream().mapToInt(Integer::intValue).toArray();
        out.put("digit_probe_linear", Probe.accuracy(dtx, dty, dex, dey, 10, 0, LINEAR_EPOCHS, seed, manager));
        out.put("digit_probe_mlp", Probe.accuracy(dtx, dty, dex, dey, 10, MLP_HIDDEN, MLP_EPOCHS, seed, manager));
        int speakers = data.speakers().size();
        out.put("speaker_probe_linear", Probe.accuracy(spTrX, spTrY, spTeX, spTeY, speakers, 0, LINEAR_EPOCHS, seed, manager));
        out.put("speaker_probe_mlp", Probe.accuracy(spTrX, spTrY, spTeX, spTeY, speakers, MLP_HIDDEN, MLP_EPOCHS, seed, manager));
        out.put("speaker_chance", 1.0 / speakers);
        out.putAll(reconstruction(net, manager));
        double rate = cfg.latents() / meanSeconds;
        out.put("latent_rate_hz", rate);
        if (lat.ids() != null) {
            long[] counts = new long[cfg.codes()];
            long[] testCounts = new long[cfg.codes()];
            for (int i = 0; i < all.size(); i++) {
                for (long id : lat.ids()[i]) {
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
            double perplexity = perplexity(testCounts);
            out.put("codebook_perplexity", perplexity);
            out.put("dead_codes", (double) dead);
            out.put("bits_per_second", rate * Math.log(cfg.codes()) / Math.log(2));
            out.put("entropy_bits_per_second", rate * Math.log(perplexity) / Math.log(2));
        }
        return out;
    }

    /** exp(entropy) of the code histogram. */
    public static double perplexity(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = c / (double) total;
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    private Map<String, Double> reconstruction(VqvaeNet net, NDManager manager) {
        List<SpokenDigit> test = data.test();
        double tf = 0;
        double fr = 0;
        long n = 0;
        for (int s = 0; s < test.size(); s += 150) {
            List<SpokenDigit> batch = test.subList(s, Math.min(test.size(), s + 150));
            try (NDManager m = manager.newSubManager()) {
                NDArray x = VqvaeTrainer.frames(m, batch, data);
                int[] spk = VqvaeTrainer.speakers(batch, data);
                VqvaeNet.Bottleneck b = net.bottleneck(x, false, new Random(0));
                tf += net.decode(b.z(), spk, x, false).sub(x).square().sum().getFloat();
                fr += net.generate(b.z(), spk).sub(x).square().sum().getFloat();
                n += x.size();
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("recon_mse_teacher_forced", tf / n);
        out.put("recon_mse_free_running", fr / n);
        return out;
    }
}
