package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;
import io.crossmodal.runtime.onnx.OnnxGraphBuilder;

import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.FLOAT;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.INT32;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.INT64;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.attr;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.ATTENTION;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.KEYS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LENGTHS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOGITS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOG_PROBS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MASK;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MEMORY;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.PREV_TOKEN;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.TOKENS;

/**
 * Builds the encoder and decoder-step ONNX graphs (opset 17, default domain) of DESIGN.md from
 * plain weights. Only ops that both the CPU and CUDA execution providers implement are used.
 */
public final class Seq2SeqGraphs {

    private Seq2SeqGraphs() {
    }

    /**
     * Encoder: {@code tokens} int64 [B, T], {@code lengths} int32 [B] -> {@code memory} [B, T, 2He],
     * {@code keys} [B, T, Hd], {@code init_h}, {@code init_c} [B, Hd]. Padded positions of memory and
     * keys are exactly zero.
     */
    public static byte[] encoder(Seq2SeqWeights w) {
        int he = w.encoderHidden();
        int hd = w.decoderHidden();
        OnnxGraphBuilder g = new OnnxGraphBuilder("encoder");
        g.input(TOKENS, INT64, "B", "T").input(LENGTHS, INT32, "B");

        String embed = g.initializer("src_embed", w.srcEmbed());
        String emb = g.op("Gather", null, embed, TOKENS); // [B, T, E]
        String x = g.op("Transpose", null, new String[] {emb}, OnnxGraphBuilder.attrInts("perm", 1, 0, 2)); // [T, B, E]

        // One bidirectional LSTM; sequence_lens makes the backward pass start at each row's own last symbol.
        String wName = g.initializer("enc_W", LstmExport.w(w.encFwd(), w.encBwd()));
        String rName = g.initializer("enc_R", LstmExport.r(w.encFwd(), w.encBwd()));
        String bName = g.initializer("enc_B", LstmExport.b(w.encFwd(), w.encBwd()));
        String y = g.fresh("enc_Y");
        g.node("LSTM", new String[] {x, wName, rName, bName, LENGTHS}, new String[] {y},
                attr("hidden_size", he), attr("direction", "bidirectional"));
        // Y [T, 2, B, He] -> [B, T, 2, He] -> [B, T, 2He]: forward state first, like PyTorch.
        String yt = g.op("Transpose", null, new String[] {y}, OnnxGraphBuilder.attrInts("perm", 2, 0, 1, 3));
        String memRaw = g.op("Reshape", null, yt, g.int64("mem_shape", false, 0, 0, 2L * he));

        // mask [B, T] = (range(T) < lengths); applied explicitly so padding is zero on every provider.
        String shape = g.op("Shape", null, TOKENS);
        String tLen = g.op("Gather", null, shape, g.int64("one_scalar", true, 1));
        String range = g.op("Range", null, g.int64("zero_scalar", true, 0), tLen, "one_scalar");
        String len64 = g.op("Cast", null, new String[] {LENGTHS}, attr("to", INT64));
        String lenCol = g.op("Unsqueeze", null, len64, g.int64("axis1", false, 1)); // [B, 1]
        String rangeRow = g.op("Unsqueeze", null, range, g.int64("axis0", false, 0)); // [1, T]
        String valid = g.op("Less", null, rangeRow, lenCol);
        String mask = g.op("Cast", null, new String[] {valid}, attr("to", FLOAT));
        String mask3 = g.op("Unsqueeze", null, mask, g.int64("axis2", false, 2));
        g.op("Mul", MEMORY, memRaw, mask3);

        // masked mean over valid positions -> bridge
        String sum = g.op("ReduceSum", null, new String[] {MEMORY, "axis1"}, attr("keepdims", 0)); // [B, 2He]
        String count = g.op("Cast", null, new String[] {lenCol}, attr("to", FLOAT)); // [B, 1]
        String mean = g.op("Div", null, sum, count);
        String hPre = gemm(g, mean, w.bridgeH(), "bridge_h", null);
        g.op("Tanh", INIT_H, hPre);
        String cPre = gemm(g, mean, w.bridgeC(), "bridge_c", null);
        if (w.locationAware()) {
            // the cell state carries the attention focus as its last element, starting at INITIAL_FOCUS
            String cTanh = g.op("Tanh", null, cPre);
            String first = g.op("Slice", null, cTanh, g.int64("c_first_start", false, 0), g.int64("c_first_end", false, 1),
                    g.int64("c_axis1", false, 1)); // [B, 1]
            String zero = g.op("Mul", null, first, g.floatScalar("zero_f", 0f));
            String focus = g.op("Add", null, zero, g.floatScalar("init_focus", LocationAttention.INITIAL_FOCUS));
            g.op("Concat", INIT_C, new String[] {cTanh, focus}, attr("axis", 1));
        } else {
            g.op("Tanh", INIT_C, cPre);
        }

        // keys = memory W_k^T, stored pre-transposed so a batched MatMul suffices
        String wk = g.initializer("key_proj_T", w.keyProj().w().transpose());
        g.op("MatMul", KEYS, MEMORY, wk);

        g.output(MEMORY, FLOAT, "B", "T", 2 * he)
                .output(KEYS, FLOAT, "B", "T", hd)
                .output(INIT_H, FLOAT, "B", hd)
                .output(INIT_C, FLOAT, "B", w.stateC());
        return g.build("crossmodal-seq2seq-encoder");
    }

    /**
     * One decoder step with Luong "general" attention. Inputs {@code prev_token} [N], {@code h},
     * {@code c} [N, Hd], {@code memory} [N, T, 2He], {@code keys} [N, T, Hd], {@code mask} [N, T];
     * outputs {@code logits}, {@code log_probs} [N, Vt], {@code h_out}, {@code c_out} [N, Hd],
     * {@code attention} [N, T].
     */
    public static byte[] decoderStep(Seq2SeqWeights w) {
        int he = w.encoderHidden();
        int hd = w.decoderHidden();
        int vt = w.tgtVocabSize();
        boolean loc = w.locationAware();
        OnnxGraphBuilder g = new OnnxGraphBuilder("decoder_step");
        g.input(PREV_TOKEN, INT64, "N")
                .input(H, FLOAT, "N", hd)
                .input(C, FLOAT, "N", w.stateC())
                .input(MEMORY, FLOAT, "N", "T", 2 * he)
                .input(KEYS, FLOAT, "N", "T", hd)
                .input(MASK, FLOAT, "N", "T");

        String axis0 = g.int64("axis0", false, 0);
        String axis1 = g.int64("axis1", false, 1);
        String cIn = C;
        String focus = null;
        if (loc) {
            // split the carried state into the LSTM cell [N, Hd] and the previous focus [N, 1]
            cIn = g.op("Slice", null, C, g.int64("c_start", false, 0), g.int64("c_end", false, hd), axis1);
            focus = g.op("Slice", null, C, g.int64("p_start", false, hd), g.int64("p_end", false, hd + 1L), axis1);
        }
        String[] hc = lstmStep(g, w.tgtEmbed(), w.dec(), "dec", axis0, cIn, H_OUT, loc ? g.fresh("dec_c") : C_OUT);
        String hOut = hc[0];

        // scores [N, T] = keys . h
        String hCol = g.op("Unsqueeze", null, hOut, g.int64("axis2", false, 2)); // [N, Hd, 1]
        String scores3 = g.op("MatMul", null, KEYS, hCol); // [N, T, 1]
        String scores = g.op("Squeeze", null, scores3, "axis2");
        // additive mask: (mask - 1) * 1e9 sends padding to -1e9, i.e. exactly zero weight after softmax
        String minus = g.op("Sub", null, MASK, g.floatScalar("one_f", 1f));
        String penalty = g.op("Mul", null, minus, g.floatScalar("big_f", 1e9f));
        String masked = g.op("Add", null, scores, penalty);
        String pos = null;
        if (loc) {
            // positions [1, T] as floats; location bias -sharpness * (s - p - shift)^2
            String shape = g.op("Shape", null, MASK);
            String tLen = g.op("Gather", null, shape, g.int64("one_scalar", true, 1));
            String range = g.op("Range", null, g.int64("zero_scalar", true, 0), tLen, "one_scalar");
            String posF = g.op("Cast", null, new String[] {range}, attr("to", FLOAT));
            pos = g.op("Unsqueeze", null, posF, axis0); // [1, T]
            String centre = g.op("Add", null, focus, g.floatScalar("loc_shift", w.location().shift())); // [N, 1]
            String d = g.op("Sub", null, pos, centre); // [N, T]
            String sq = g.op("Mul", null, d, d);
            String locPen = g.op("Mul", null, sq, g.floatScalar("loc_sharpness", w.location().sharpness()));
            masked = g.op("Sub", null, masked, locPen);
        }
        g.op("Softmax", ATTENTION, new String[] {masked}, attr("axis", -1));

        // ctx [N, 2He] = attention @ memory
        String a3 = g.op("Unsqueeze", null, ATTENTION, axis1); // [N, 1, T]
        String ctx3 = g.op("MatMul", null, a3, MEMORY); // [N, 1, 2He]
        String ctx = g.op("Squeeze", null, ctx3, axis1);

        if (loc) {
            // new focus = expected position under the attention, appended to the cell state
            String weighted = g.op("Mul", null, ATTENTION, pos);
            String newFocus = g.op("ReduceSum", null, new String[] {weighted, axis1}, attr("keepdims", 1)); // [N, 1]
            g.op("Concat", C_OUT, new String[] {hc[1], newFocus}, attr("axis", 1));
        }

        String cat = g.op("Concat", null, new String[] {hOut, ctx}, attr("axis", 1));
        String o = g.op("Tanh", null, gemm(g, cat, w.outProj(), "out_proj", null));
        gemm(g, o, w.logits(), "logits_proj", LOGITS);
        g.op("LogSoftmax", LOG_PROBS, new String[] {LOGITS}, attr("axis", -1));

        g.output(LOGITS, FLOAT, "N", vt)
                .output(LOG_PROBS, FLOAT, "N", vt)
                .output(H_OUT, FLOAT, "N", hd)
                .output(C_OUT, FLOAT, "N", w.stateC())
                .output(ATTENTION, FLOAT, "N", "T");
        return g.build("crossmodal-seq2seq-decoder-step");
    }

    /**
     * Embeds {@code prev_token} and runs a one-step LSTM from ({@code h}, {@code c}); returns the
     * names {h_out, c_out}. Shared with the prior step graph.
     */
    static String[] lstmStep(OnnxGraphBuilder g, FloatTensor embedding, LstmWeights lstm, String prefix, String axis0) {
        return lstmStep(g, embedding, lstm, prefix, axis0, C, H_OUT, C_OUT);
    }

    /** {@link #lstmStep} reading the cell state from {@code cIn} and naming the outputs {@code hOut}, {@code cOut}. */
    static String[] lstmStep(OnnxGraphBuilder g, FloatTensor embedding, LstmWeights lstm, String prefix, String axis0,
            String cIn, String hOut, String cOut) {
        String embed = g.initializer(prefix + "_embed", embedding);
        String emb = g.op("Gather", null, embed, PREV_TOKEN); // [N, E]
        String x = g.op("Unsqueeze", null, emb, axis0); // [1, N, E]
        String h0 = g.op("Unsqueeze", null, H, axis0);
        String c0 = g.op("Unsqueeze", null, cIn, axis0);
        String yh = g.fresh(prefix + "_Yh");
        String yc = g.fresh(prefix + "_Yc");
        g.node("LSTM",
                new String[] {x, g.initializer(prefix + "_W", LstmExport.w(lstm)), g.initializer(prefix + "_R", LstmExport.r(lstm)),
                        g.initializer(prefix + "_B", LstmExport.b(lstm)), "", h0, c0},
                new String[] {"", yh, yc},
                attr("hidden_size", lstm.hiddenSize()));
        g.op("Squeeze", hOut, yh, axis0);
        g.op("Squeeze", cOut, yc, axis0);
        return new String[] {hOut, cOut};
    }

    /** {@code x W^T + b} via Gemm(transB=1) on a 2-D input, weight kept in PyTorch layout. */
    static String gemm(OnnxGraphBuilder g, String x, Linear l, String prefix, String out) {
        String wName = g.initializer(prefix + "_w", l.w());
        String[] inputs = l.hasBias()
                ? new String[] {x, wName, g.initializer(prefix + "_b", l.b())}
                : new String[] {x, wName};
        return g.op("Gemm", out, inputs, attr("transB", 1));
    }
}
