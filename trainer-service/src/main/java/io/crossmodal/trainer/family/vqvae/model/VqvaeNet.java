package io.crossmodal.trainer.family.vqvae.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.core.Linear;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.train.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The speech autoencoder of METHODS.md section 3 as plain DJL arrays (the PVAE's style: a
 * parameter map, PyTorch's default initialisation from the job's seed).
 * <ul>
 * <li>encoder: standardised log-mel frames [B, T, M] -> Conv1d(k3) ReLU -> log2(downsample) x
 * Conv1d(k4, stride 2) ReLU -> Conv1d(k1) -> [B, T/downsample, D];</li>
 * <li>bottleneck: {@code ae} passes it on; {@code vae} has two k1 heads (mean, log-variance) and
 * samples in training; {@code vq} takes the nearest of K codebook vectors, with the
 * straight-through gradient z_e + sg(z_q - z_e);</li>
 * <li>time jitter ({@link Jitter}) on the bottleneck output, in training only;</li>
 * <li>decoder: a GRU or LSTM over [previous frame ; upsampled latent ; speaker embedding], then a
 * linear layer to the frame (teacher-forced in training, one step at a time when generating).</li>
 * </ul>
 * Every op takes a batch array as its first operand, so intermediates belong to the caller's manager.
 */
public final class VqvaeNet {

    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final VqvaeConfig cfg;
    private final int speakers;
    private final int stages;
    private final NDArray codebook;

    public VqvaeNet(VqvaeConfig cfg, int speakers, NDManager manager) {
        this.cfg = cfg;
        this.speakers = speakers;
        this.stages = Integer.numberOfTrailingZeros(cfg.downsample());
        Random rnd = new Random(cfg.seed());
        int m = cfg.melBins();
        int c = cfg.channels();
        int d = cfg.latentDim();
        conv(manager, rnd, "enc.0", m, c, 3);
        for (int i = 1; i <= stages; i++) {
            conv(manager, rnd, "enc." + i, c, c, 4);
        }
        if (cfg.bottleneck().equals("vae")) {
            conv(manager, rnd, "enc.mean", c, d, 1);
            conv(manager, rnd, "enc.logvar", c, d, 1);
        } else {
            conv(manager, rnd, "enc.out", c, d, 1);
        }
        if (cfg.bottleneck().equals("vq")) {
            // van den Oord et al. initialise uniformly in +-1/K; a small spread keeps early codes distinct
            float[] cb = uniform(rnd, cfg.codes() * d, 1f / cfg.codes());
            codebook = manager.create(cb, new Shape(cfg.codes(), d));
            if (!cfg.ema()) {
                params.put("codebook", codebook);
            }
        } else {
            codebook = null;
        }
        params.put("spk.E", manager.create(gaussian(rnd, speakers * cfg.speakerDim()), new Shape(speakers, cfg.speakerDim())));
        int h = cfg.decoderHidden();
        int gates = gates();
        int in = m + d + cfg.speakerDim();
        float k = (float) (1 / Math.sqrt(h));
        params.put("rnn.w_ih", manager.create(uniform(rnd, gates * h * in, k), new Shape(gates * h, in)));
        params.put("rnn.w_hh", manager.create(uniform(rnd, gates * h * h, k), new Shape(gates * h, h)));
        params.put("rnn.b_ih", manager.create(uniform(rnd, gates * h, k), new Shape(gates * h)));
        params.put("rnn.b_hh", manager.create(uniform(rnd, gates * h, k), new Shape(gates * h)));
        linear(manager, rnd, "out", h, m);
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
    }

    /** What the encoder and bottleneck give for a batch. */
    public record Bottleneck(NDArray ze, NDArray z, NDArray ids, NDArray zq, NDArray mean, NDArray logvar, int[][] jitter) {}

    /** Encoder output before the bottleneck [B, L, D] (the VAE's posterior mean). */
    public NDArray encodeContinuous(NDArray x) {
        NDArray h = x.transpose(0, 2, 1);
        h = Activation.relu(conv(h, "enc.0", 1, 1));
        for (int i = 1; i <= stages; i++) {
            h = Activation.relu(conv(h, "enc." + i, 2, 1));
        }
        return conv(h, cfg.bottleneck().equals("vae") ? "enc.mean" : "enc.out", 1, 0).transpose(0, 2, 1);
    }

    /**
     * Encoder + bottleneck (+ jitter when {@code training} and jitter is on; {@code rnd} draws the
     * jitter and the VAE's noise). x: standardised frames [B, T, M].
     */
    public Bottleneck bottleneck(NDArray x, boolean training, Random rnd) {
        NDArray h = x.transpose(0, 2, 1);
        h = Activation.relu(conv(h, "enc.0", 1, 1));
        for (int i = 1; i <= stages; i++) {
            h = Activation.relu(conv(h, "enc." + i, 2, 1));
        }
        NDArray ze;
        NDArray z;
        NDArray ids = null;
        NDArray zq = null;
        NDArray mean = null;
        NDArray logvar = null;
        switch (cfg.bottleneck()) {
            case "vae" -> {
                mean = conv(h, "enc.mean", 1, 0).transpose(0, 2, 1);
                logvar = conv(h, "enc.logvar", 1, 0).transpose(0, 2, 1);
                ze = mean;
                if (training) {
                    NDArray eps = x.getManager().create(gaussian(rnd, (int) mean.size()), mean.getShape());
                    z = mean.add(eps.mul(Scalars.mul(logvar, 0.5).exp()));
                } else {
                    z = mean;
                }
            }
            case "vq" -> {
                ze = conv(h, "enc.out", 1, 0).transpose(0, 2, 1);
                ids = nearest(ze);
                zq = ids.oneHot(cfg.codes()).toType(DataType.FLOAT32, false).matMul(codebook);
                // straight-through: the forward value is z_q, the gradient passes to z_e unchanged
                z = ze.add(zq.sub(ze).stopGradient());
            }
            default -> {
                ze = conv(h, "enc.out", 1, 0).transpose(0, 2, 1);
                z = ze;
            }
        }
        int[][] jit = null;
        if (training && cfg.jitterOn()) {
            int b = (int) z.getShape().get(0);
            int l = (int) z.getShape().get(1);
            jit = new int[b][];
            for (int i = 0; i < b; i++) {
                jit[i] = Jitter.indices(l, cfg.jitterP(), rnd);
            }
            z = Jitter.apply(z, jit, x.getManager());
        }
        return new Bottleneck(ze, z, ids, zq, mean, logvar, jit);
    }

    /** Index of the nearest codebook vector for each latent [B, L] (int64; ties: the lowest index). */
    public NDArray nearest(NDArray ze) {
        long b = ze.getShape().get(0);
        long l = ze.getShape().get(1);
        NDArray flat = ze.stopGradient().reshape(b * l, cfg.latentDim());
        NDArray cb = codebook.stopGradient();
        NDArray dist = flat.square().sum(new int[] {1}, true).sub(flat.matMul(cb.transpose()).mul(2f))
                .add(cb.square().sum(new int[] {1}).reshape(1, cfg.codes()));
        return dist.argMin(1).reshape(b, l);
    }

    /** Teacher-forced frames [B, T, M] from bottleneck output z [B, L, D], speakers [B] and the targets x. */
    public NDArray decode(NDArray z, int[] speakerIds, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray prev = x.getManager().zeros(new Shape(b, 1, cfg.melBins())).concat(x.get(":, :-1, :"), 1);
        NDArray up = upsample(z);
        NDArray spk = speakerEmbedding(x.getManager(), speakerIds).expandDims(1).broadcast(new Shape(b, t, cfg.speakerDim()));
        NDArray in = prev.concat(up, 2).concat(spk, 2);
        NDArray hOut = rnn(in, initialState(x.getManager(), (int) b), training).get(0);
        return Linear.linear(hOut, params.get("out.W"), params.get("out.b")).singletonOrThrow();
    }

    /** One decoder step: previous frame [B, M], latent [B, D], speakers, state [B, stateSize] -> (frame, state). */
    public NDList step(NDArray prev, NDArray latent, int[] speakerIds, NDArray state) {
        NDManager m = prev.getManager();
        NDArray in = NDArrays.concat(new NDList(prev, latent, speakerEmbedding(m, speakerIds)), 1).expandDims(1);
        int h = cfg.decoderHidden();
        NDList hidden;
        if (lstm()) {
            hidden = new NDList(state.get(":, :" + h).expandDims(0), state.get(":, " + h + ":").expandDims(0));
        } else {
            hidden = new NDList(state.expandDims(0));
        }
        NDList out = rnn(in, hidden, false);
        NDArray frame = Linear.linear(out.get(0).squeeze(1), params.get("out.W"), params.get("out.b")).singletonOrThrow();
        NDArray next = lstm() ? out.get(1).squeeze(0).concat(out.get(2).squeeze(0), 1) : out.get(1).squeeze(0);
        return new NDList(frame, next);
    }

    /** Free-running generation of {@code frames} frames from latents z [B, L, D] (eval; no gradient needed). */
    public NDArray generate(NDArray z, int[] speakerIds) {
        NDManager m = z.getManager();
        int b = (int) z.getShape().get(0);
        int l = (int) z.getShape().get(1);
        int r = cfg.downsample();
        NDArray prev = m.zeros(new Shape(b, cfg.melBins()));
        NDArray state = m.zeros(new Shape(b, stateSize()));
        NDList frames = new NDList();
        for (int t = 0; t < l * r; t++) {
            NDList o = step(prev, z.get(":, " + (t / r) + ", :"), speakerIds, state);
            prev = o.get(0);
            state = o.get(1);
            frames.add(prev.expandDims(1));
        }
        return NDArrays.concat(frames, 1);
    }

    /** z [B, L, D] -> [B, L * downsample, D], each latent repeated for its frames. */
    public NDArray upsample(NDArray z) {
        long b = z.getShape().get(0);
        long l = z.getShape().get(1);
        long d = z.getShape().get(2);
        int r = cfg.downsample();
        return z.expandDims(2).broadcast(new Shape(b, l, r, d)).reshape(b, l * r, d);
    }

    private NDArray speakerEmbedding(NDManager m, int[] speakerIds) {
        float[] oneHot = new float[speakerIds.length * speakers];
        for (int i = 0; i < speakerIds.length; i++) {
            if (speakerIds[i] < 0 || speakerIds[i] >= speakers) {
                throw new IllegalArgumentException("speaker " + speakerIds[i] + " outside [0, " + speakers + ")");
            }
            oneHot[i * speakers + speakerIds[i]] = 1f;
        }
        return m.create(oneHot, new Shape(speakerIds.length, speakers)).matMul(params.get("spk.E"));
    }

    private NDList initialState(NDManager m, int b) {
        NDArray h0 = m.zeros(new Shape(1, b, cfg.decoderHidden()));
        return lstm() ? new NDList(h0, m.zeros(new Shape(1, b, cfg.decoderHidden()))) : new NDList(h0);
    }

    private NDList rnn(NDArray in, NDList hidden, boolean training) {
        NDList w = new NDList(params.get("rnn.w_ih"), params.get("rnn.w_hh"), params.get("rnn.b_ih"), params.get("rnn.b_hh"));
        if (lstm()) {
            return in.getNDArrayInternal().lstm(in, hidden, w, true, 1, 0, training, false, true);
        }
        return in.getNDArrayInternal().gru(in, hidden.get(0), w, true, 1, 0, training, false, true);
    }

    public boolean lstm() {
        return cfg.cell().equals("lstm");
    }

    private int gates() {
        return lstm() ? 4 : 3;
    }

    /** Decoder state width: h for a GRU, h ; c for an LSTM. */
    public int stateSize() {
        return lstm() ? 2 * cfg.decoderHidden() : cfg.decoderHidden();
    }

    public VqvaeConfig config() {
        return cfg;
    }

    public int speakers() {
        return speakers;
    }

    /** The trainable parameters (the codebook among them unless it is updated by EMA). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The codebook [K, D], or null for the non-VQ bottlenecks. */
    public NDArray codebook() {
        return codebook;
    }

    private NDArray conv(NDArray h, String name, int stride, int pad) {
        return Conv1d.conv1d(h, params.get(name + ".W"), params.get(name + ".b"), new Shape(stride), new Shape(pad),
                new Shape(1), 1).singletonOrThrow();
    }

    /** PyTorch's default init for Conv1d: Uniform(+-1/sqrt(in * k)). */
    private void conv(NDManager m, Random rnd, String name, int in, int out, int k) {
        float s = (float) (1 / Math.sqrt(in * k));
        params.put(name + ".W", m.create(uniform(rnd, out * in * k, s), new Shape(out, in, k)));
        params.put(name + ".b", m.create(uniform(rnd, out, s), new Shape(out)));
    }

    private void linear(NDManager m, Random rnd, String name, int in, int out) {
        float s = (float) (1 / Math.sqrt(in));
        params.put(name + ".W", m.create(uniform(rnd, out * in, s), new Shape(out, in)));
        params.put(name + ".b", m.create(uniform(rnd, out, s), new Shape(out)));
    }

    private static float[] uniform(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
