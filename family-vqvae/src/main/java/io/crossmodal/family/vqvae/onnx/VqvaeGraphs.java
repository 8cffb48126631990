package io.crossmodal.family.vqvae.onnx;

import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAME;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAMES;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAME_LOGMEL;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.LATENT;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.LATENTS;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.PREV_FRAME;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.SPEAKER;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.STATE;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.STATE_OUT;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.UNITS;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.UNIT_IDS;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.FLOAT;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.INT64;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.attr;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.attrInts;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.OnnxGraphBuilder;

/**
 * Builds the VQ-VAE's ONNX graphs (opset 17, the runtime's {@link OnnxGraphBuilder}) from plain weights:
 * <ul>
 * <li>encoder: raw frames [B, T, M] -> {@code latents} [B, L, D] and, for VQ, {@code unit_ids} [B, L]
 * (ReduceSumSquare with the axes attribute, as opset 17 has it; argmin of |z|^2 - 2 z.e + |e|^2, the trainer's formula, ties to the lowest index) and {@code units};</li>
 * <li>unit lookup: {@code unit_ids} -> {@code units} (VQ only);</li>
 * <li>decoder step: {@code prev_frame}, {@code latent}, {@code speaker}, {@code state} -> {@code frame},
 * {@code frame_logmel}, {@code state_out}; the GRU / LSTM cell written out in elementary ops with
 * PyTorch's gate order, so no reordering for the ONNX LSTM operator is needed;</li>
 * <li>speaker lookup: raw frames -> the speaker whose mean standardised frame is nearest.</li>
 * </ul>
 */
public final class VqvaeGraphs {

    private VqvaeGraphs() {
    }

    /** The graphs of one model; {@code units} is null unless the bottleneck is VQ. */
    public record Graphs(byte[] encoder, byte[] units, byte[] decoderStep, byte[] speaker) {}

    public static Graphs build(VqvaeWeights w) {
        return new Graphs(encoder(w), w.codebook() == null ? null : unitLookup(w), decoderStep(w), speakerLookup(w));
    }

    public static byte[] encoder(VqvaeWeights w) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vqvae_encoder");
        int m = w.melBins();
        g.input(FRAMES, FLOAT, "batch", "time", m);
        String x = standardise(g, w, FRAMES);
        String h = g.op("Transpose", null, new String[] {x}, attrInts("perm", 0, 2, 1));
        for (int i = 0; i < w.convs().size(); i++) {
            VqvaeWeights.Conv c = w.convs().get(i);
            h = g.op("Relu", null, conv(g, "enc" + i, h, c, i == 0 ? 1 : 2, 1));
        }
        String z = conv(g, "head", h, w.head(), 1, 0);
        g.op("Transpose", LATENTS, new String[] {z}, attrInts("perm", 0, 2, 1));
        g.output(LATENTS, FLOAT, "batch", "latent_time", w.latentDim());
        if (w.codebook() != null) {
            String cb = g.initializer("codebook", w.codebook());
            String cbT = g.initializer("codebook_t", w.codebook().transpose());
            int k = w.codes();
            float[] norms = new float[k];
            for (int i = 0; i < k; i++) {
                for (float v : w.codebook().row(i)) {
                    norms[i] += v * v;
                }
            }
            String sq = g.op("ReduceSumSquare", null, new String[] {LATENTS}, attrInts("axes", 2), attr("keepdims", 1));
            String dot = g.op("MatMul", null, LATENTS, cbT);
            String two = g.floatScalar("two", 2f);
            String dist = g.op("Add", null, g.op("Sub", null, sq, g.op("Mul", null, dot, two)),
                    g.initializer("codebook_norms", FloatTensor.of(norms, k)));
            g.op("ArgMin", UNIT_IDS, new String[] {dist}, attr("axis", 2), attr("keepdims", 0),
                    attr("select_last_index", 0));
            g.op("Gather", UNITS, new String[] {cb, UNIT_IDS}, attr("axis", 0));
            g.output(UNIT_IDS, INT64, "batch", "latent_time");
            g.output(UNITS, FLOAT, "batch", "latent_time", w.latentDim());
        }
        return g.build("crossmodal-vqvae");
    }

    public static byte[] unitLookup(VqvaeWeights w) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vqvae_units");
        g.input(UNIT_IDS, INT64, "batch", "latent_time");
        g.op("Gather", UNITS, new String[] {g.initializer("codebook", w.codebook()), UNIT_IDS}, attr("axis", 0));
        g.output(UNITS, FLOAT, "batch", "latent_time", w.latentDim());
        return g.build("crossmodal-vqvae");
    }

    public static byte[] decoderStep(VqvaeWeights w) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vqvae_decoder_step");
        int m = w.melBins();
        int hid = w.hidden();
        g.input(PREV_FRAME, FLOAT, "batch", m);
        g.input(LATENT, FLOAT, "batch", w.latentDim());
        g.input(SPEAKER, INT64, "batch");
        g.input(STATE, FLOAT, "batch", w.stateSize());
        String emb = g.op("Gather", null, new String[] {g.initializer("speaker_table", w.speakerTable()), SPEAKER},
                attr("axis", 0));
        String x = g.op("Concat", null, new String[] {PREV_FRAME, LATENT, emb}, attr("axis", 1));
        String h;
        String c = null;
        if (w.lstm()) {
            String[] hc = split(g, STATE, hid, hid);
            h = hc[0];
            c = hc[1];
        } else {
            h = STATE;
        }
        String gi = g.op("Add", null, g.op("MatMul", null, x, g.initializer("w_ih_t", w.wIh().transpose())),
                g.initializer("b_ih", w.bIh()));
        String gh = g.op("Add", null, g.op("MatMul", null, h, g.initializer("w_hh_t", w.wHh().transpose())),
                g.initializer("b_hh", w.bHh()));
        String hNext;
        if (w.lstm()) {
            String[] gates = split(g, g.op("Add", null, gi, gh), hid, hid, hid, hid);
            String i = g.op("Sigmoid", null, gates[0]);
            String f = g.op("Sigmoid", null, gates[1]);
            String gg = g.op("Tanh", null, gates[2]);
            String o = g.op("Sigmoid", null, gates[3]);
            String cNext = g.op("Add", null, g.op("Mul", null, f, c), g.op("Mul", null, i, gg));
            hNext = g.op("Mul", null, o, g.op("Tanh", null, cNext));
            g.op("Concat", STATE_OUT, new String[] {hNext, cNext}, attr("axis", 1));
        } else {
            String[] a = split(g, gi, hid, hid, hid);
            String[] b = split(g, gh, hid, hid, hid);
            String r = g.op("Sigmoid", null, g.op("Add", null, a[0], b[0]));
            String z = g.op("Sigmoid", null, g.op("Add", null, a[1], b[1]));
            String n = g.op("Tanh", null, g.op("Add", null, a[2], g.op("Mul", null, r, b[2])));
            // h' = (1 - z) n + z h = n + z (h - n)
            hNext = g.op("Add", STATE_OUT, n, g.op("Mul", null, z, g.op("Sub", null, h, n)));
        }
        String frame = g.op("Add", FRAME, g.op("MatMul", null, hNext, g.initializer("out_w_t", w.out().w().transpose())),
                g.initializer("out_b", w.out().b()));
        g.op("Add", FRAME_LOGMEL, g.op("Mul", null, frame, g.initializer("std", FloatTensor.of(w.std(), m))),
                g.initializer("mean", FloatTensor.of(w.mean(), m)));
        g.output(FRAME, FLOAT, "batch", m);
        g.output(FRAME_LOGMEL, FLOAT, "batch", m);
        g.output(STATE_OUT, FLOAT, "batch", w.stateSize());
        return g.build("crossmodal-vqvae");
    }

    public static byte[] speakerLookup(VqvaeWeights w) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("vqvae_speaker");
        int m = w.melBins();
        g.input(FRAMES, FLOAT, "batch", "time", m);
        String x = standardise(g, w, FRAMES);
        String avg = g.op("ReduceMean", null, new String[] {x}, attrInts("axes", 1), attr("keepdims", 0));
        FloatTensor cent = w.speakerCentroids();
        int s = cent.dim(0);
        float[] norms = new float[s];
        for (int i = 0; i < s; i++) {
            for (float v : cent.row(i)) {
                norms[i] += v * v;
            }
        }
        String sq = g.op("ReduceSumSquare", null, new String[] {avg}, attrInts("axes", 1), attr("keepdims", 1));
        String dot = g.op("MatMul", null, avg, g.initializer("centroids_t", cent.transpose()));
        String dist = g.op("Add", null, g.op("Sub", null, sq, g.op("Mul", null, dot, g.floatScalar("two", 2f))),
                g.initializer("centroid_norms", FloatTensor.of(norms, s)));
        g.op("ArgMin", SPEAKER, new String[] {dist}, attr("axis", 1), attr("keepdims", 0));
        g.output(SPEAKER, INT64, "batch");
        return g.build("crossmodal-vqvae");
    }

    private static String standardise(OnnxGraphBuilder g, VqvaeWeights w, String in) {
        int m = w.melBins();
        return g.op("Div", null, g.op("Sub", null, in, g.initializer("mean", FloatTensor.of(w.mean(), m))),
                g.initializer("std", FloatTensor.of(w.std(), m)));
    }

    private static String conv(OnnxGraphBuilder g, String name, String in, VqvaeWeights.Conv c, int stride, int pad) {
        int k = c.w().dim(2);
        return g.op("Conv", null, new String[] {in, g.initializer(name + "_w", c.w()), g.initializer(name + "_b", c.b())},
                attrInts("kernel_shape", k), attrInts("strides", stride), attrInts("pads", pad, pad));
    }

    private static String[] split(OnnxGraphBuilder g, String in, int... sizes) {
        String[] outs = new String[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            outs[i] = g.fresh("split");
        }
        long[] ls = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            ls[i] = sizes[i];
        }
        g.node("Split", new String[] {in, g.int64(g.fresh("split_sizes"), false, ls)}, outs, attr("axis", 1));
        return outs;
    }
}
