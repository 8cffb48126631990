package io.crossmodal.trainer.family.pvae.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.family.pvae.model.DecoderWeights;
import io.crossmodal.family.pvae.model.EncoderWeights;
import io.crossmodal.family.pvae.model.GaussianHead;
import io.crossmodal.family.pvae.model.Mlp;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The PVAE of METHODS.md section 2 (and its baselines) as plain DJL arrays. Networks are MLPs
 * (ReLU) rather than the paper's LSTMs and convolutions, so that a study fits on 2 CPU cores:
 * speech enters as fixed-length, standardised log-mel frames, flattened.
 * <ul>
 * <li>unimodal inference q(z_s, z_a | x_a), q(z_s, z_i | x_i): own pre-encoder, one Gaussian head per partition;</li>
 * <li>multimodal inference q(z_s, z_a, z_i | x_a, x_i): its own two pre-encoders, concatenated, three heads;</li>
 * <li>generative p(x_a | z_s, z_a), p(x_i | z_s, z_i): MLPs over the concatenated latents (image: sigmoid).</li>
 * </ul>
 * Baselines reuse the parts: JMVAE-kl has one latent of size shared + 2 style (no style
 * partitions); VAE-speech / VAE-image one latent of size shared + style and one modality.
 *
 * <p>Every op takes a batch array as its first operand, so intermediates belong to the caller's
 * (per-step) manager, not to the parameters' manager.
 */
public final class PvaeNet {

    public static final int IMAGE_IN = 784;

    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final String variant;
    private final int speechIn;
    private final int hidden;
    private final int shared;
    private final int style;
    private final boolean speech;
    private final boolean image;
    private final boolean multimodal;

    public PvaeNet(PvaeConfig cfg, int speechIn, NDManager manager) {
        this.variant = cfg.variant();
        this.speechIn = speechIn;
        this.hidden = cfg.hidden();
        this.speech = cfg.usesSpeech();
        this.image = cfg.usesImages();
        this.multimodal = speech && image;
        switch (variant) {
            case "pvae" -> {
                shared = cfg.sharedDim();
                style = cfg.styleDim();
            }
            case "jmvae-kl" -> {
                shared = cfg.sharedDim() + 2 * cfg.styleDim();
                style = 0;
            }
            default -> {
                shared = cfg.sharedDim() + cfg.styleDim();
                style = 0;
            }
        }
        Random rnd = new Random(cfg.seed());
        int h = hidden;
        if (speech) {
            mlp(manager, rnd, "ua.pre", speechIn, h, h);
            head(manager, rnd, "ua.shared", h, shared);
            head(manager, rnd, "ua.style", h, style);
            mlp(manager, rnd, "da", shared + style, h, h, speechIn);
        }
        if (image) {
            mlp(manager, rnd, "ui.pre", IMAGE_IN, h, h);
            head(manager, rnd, "ui.shared", h, shared);
            head(manager, rnd, "ui.style", h, style);
            mlp(manager, rnd, "di", shared + style, h, h, IMAGE_IN);
        }
        if (multimodal) {
            mlp(manager, rnd, "m.preA", speechIn, h, h);
            mlp(manager, rnd, "m.preI", IMAGE_IN, h, h);
            head(manager, rnd, "m.shared", 2 * h, shared);
            head(manager, rnd, "m.styleA", 2 * h, style);
            head(manager, rnd, "m.styleI", 2 * h, style);
        }
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
    }

    /** Output of a unimodal encoder; {@code style} is null without style partitions. */
    public record Unimodal(Posterior shared, Posterior style) {}

    /** Output of the multimodal encoder. */
    public record Multimodal(Posterior shared, Posterior speechStyle, Posterior imageStyle) {}

    public Unimodal encodeSpeech(NDArray x) {
        NDArray h = pre(x, "ua.pre");
        return new Unimodal(post(h, "ua.shared"), style > 0 ? post(h, "ua.style") : null);
    }

    public Unimodal encodeImage(NDArray x) {
        NDArray h = pre(x, "ui.pre");
        return new Unimodal(post(h, "ui.shared"), style > 0 ? post(h, "ui.style") : null);
    }

    public Multimodal encodeBoth(NDArray xa, NDArray xi) {
        NDArray h = pre(xa, "m.preA").concat(pre(xi, "m.preI"), 1);
        return new Multimodal(post(h, "m.shared"), style > 0 ? post(h, "m.styleA") : null,
                style > 0 ? post(h, "m.styleI") : null);
    }

    /** Mean of p(x_a | z_s, z_a) in standardised feature space. */
    public NDArray decodeSpeech(NDArray zs, NDArray za) {
        return mlpForward(join(zs, za), "da", 3, false);
    }

    /** Mean of p(x_i | z_s, z_i): grey levels through a sigmoid. */
    public NDArray decodeImage(NDArray zs, NDArray zi) {
        return Activation.sigmoid(mlpForward(join(zs, zi), "di", 3, false));
    }

    public boolean hasStyle() {
        return style > 0;
    }

    public boolean speech() {
        return speech;
    }

    public boolean image() {
        return image;
    }

    public boolean multimodal() {
        return multimodal;
    }

    public int sharedDim() {
        return shared;
    }

    public int styleDim() {
        return style;
    }

    public String variant() {
        return variant;
    }

    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The serving parts as plain weights (the multimodal encoder is for training only). */
    public PvaeWeights toWeights(Normalizer speechNorm, int frames, int melBins) {
        EncoderWeights se = speech ? new EncoderWeights(speechNorm, mlpWeights("ua.pre", 2), head("ua.shared"),
                style > 0 ? head("ua.style") : null) : null;
        EncoderWeights ie = image ? new EncoderWeights(Normalizer.identity(IMAGE_IN), mlpWeights("ui.pre", 2),
                head("ui.shared"), style > 0 ? head("ui.style") : null) : null;
        DecoderWeights sd = speech ? new DecoderWeights(shared, style, mlpWeights("da", 3), false, speechNorm) : null;
        DecoderWeights id = image ? new DecoderWeights(shared, style, mlpWeights("di", 3), true, null) : null;
        return new PvaeWeights(frames, melBins, se, ie, sd, id);
    }

    private NDArray join(NDArray zs, NDArray zm) {
        if (style == 0) {
            return zs;
        }
        if (zm == null) {
            throw new IllegalArgumentException("this model needs a style latent");
        }
        return zs.concat(zm, 1);
    }

    private NDArray pre(NDArray x, String prefix) {
        return mlpForward(x, prefix, 2, true);
    }

    private Posterior post(NDArray h, String prefix) {
        return new Posterior(Linear.linear(h, params.get(prefix + ".mean.W"), params.get(prefix + ".mean.b")).singletonOrThrow(),
                Linear.linear(h, params.get(prefix + ".logvar.W"), params.get(prefix + ".logvar.b")).singletonOrThrow());
    }

    private NDArray mlpForward(NDArray x, String prefix, int layers, boolean reluLast) {
        NDArray h = x;
        for (int i = 0; i < layers; i++) {
            h = Linear.linear(h, params.get(prefix + "." + i + ".W"), params.get(prefix + "." + i + ".b")).singletonOrThrow();
            if (i < layers - 1 || reluLast) {
                h = Activation.relu(h);
            }
        }
        return h;
    }

    private void mlp(NDManager m, Random rnd, String prefix, int... sizes) {
        for (int i = 0; i + 1 < sizes.length; i++) {
            linear(m, rnd, prefix + "." + i, sizes[i], sizes[i + 1]);
        }
    }

    private void head(NDManager m, Random rnd, String prefix, int in, int out) {
        if (out == 0) {
            return;
        }
        linear(m, rnd, prefix + ".mean", in, out);
        linear(m, rnd, prefix + ".logvar", in, out);
    }

    /** PyTorch's default init, Uniform(+-1/sqrt(in)) for weight and bias, from the job's seed. */
    private void linear(NDManager m, Random rnd, String name, int in, int out) {
        float k = (float) (1 / Math.sqrt(in));
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        float[] b = new float[out];
        for (int i = 0; i < b.length; i++) {
            b[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        params.put(name + ".W", m.create(w, new Shape(out, in)));
        params.put(name + ".b", m.create(b, new Shape(out)));
    }

    private io.crossmodal.runtime.onnx.Linear linearWeights(String name) {
        NDArray w = params.get(name + ".W");
        NDArray b = params.get(name + ".b");
        long[] s = w.getShape().getShape();
        return new io.crossmodal.runtime.onnx.Linear(FloatTensor.of(w.toFloatArray(), (int) s[0], (int) s[1]),
                FloatTensor.of(b.toFloatArray(), (int) s[0]));
    }

    private Mlp mlpWeights(String prefix, int layers) {
        List<io.crossmodal.runtime.onnx.Linear> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            out.add(linearWeights(prefix + "." + i));
        }
        return new Mlp(out);
    }

    private GaussianHead head(String prefix) {
        return new GaussianHead(linearWeights(prefix + ".mean"), linearWeights(prefix + ".logvar"));
    }
}
