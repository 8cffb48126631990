package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.OnnxGraphBuilder;

import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.FLOAT;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.INT64;
import static io.crossmodal.runtime.onnx.OnnxGraphBuilder.attr;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOGITS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOG_PROBS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.PREV_TOKEN;

/** Builds the prior LM step graph ({@code prior.step.onnx}) of DESIGN.md. */
public final class PriorGraphs {

    private PriorGraphs() {
    }

    /**
     * {@code prev_token} int64 [N], {@code h}, {@code c} [N, Hp] -> {@code logits}, {@code log_probs}
     * [N, V], {@code h_out}, {@code c_out} [N, Hp].
     */
    public static byte[] step(PriorWeights w) {
        int hp = w.hiddenSize();
        int v = w.vocabSize();
        OnnxGraphBuilder g = new OnnxGraphBuilder("prior_step");
        g.input(PREV_TOKEN, INT64, "N").input(H, FLOAT, "N", hp).input(C, FLOAT, "N", hp);
        String[] hc = Seq2SeqGraphs.lstmStep(g, w.embed(), w.lstm(), "prior", g.int64("axis0", false, 0));
        Seq2SeqGraphs.gemm(g, hc[0], w.logits(), "logits_proj", LOGITS);
        g.op("LogSoftmax", LOG_PROBS, new String[] {LOGITS}, attr("axis", -1));
        g.output(LOGITS, FLOAT, "N", v)
                .output(LOG_PROBS, FLOAT, "N", v)
                .output(H_OUT, FLOAT, "N", hp)
                .output(C_OUT, FLOAT, "N", hp);
        return g.build("crossmodal-prior-step");
    }
}
