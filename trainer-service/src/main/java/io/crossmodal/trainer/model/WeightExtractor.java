package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.family.seq2seq.onnx.LstmWeights;
import io.crossmodal.family.seq2seq.onnx.PriorWeights;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;

/** Copies trained DJL parameters into core's engine-neutral weight records (PyTorch layouts kept). */
public final class WeightExtractor {
    private WeightExtractor() {}

    public static Seq2SeqWeights seq2seq(Seq2SeqBlock b) {
        return new Seq2SeqWeights(
                tensor(b.srcEmbed.getArray()),
                tensor(b.tgtEmbed.getArray()),
                lstm(b.encFwd),
                lstm(b.encBwd),
                linear(b.bridgeH),
                linear(b.bridgeC),
                linear(b.keyProj),
                lstm(b.dec),
                linear(b.outProj),
                linear(b.logits),
                b.location());
    }

    public static PriorWeights prior(PriorBlock b) {
        return new PriorWeights(tensor(b.embed.getArray()), lstm(b.lstm), linear(b.logits));
    }

    static FloatTensor tensor(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return FloatTensor.of(a.toFloatArray(), shape);
    }

    /** DJL names LSTM parameters {@code l_0_i2h_WEIGHT} etc.; gate order is PyTorch's (i, f, g, o). */
    static LstmWeights lstm(LSTM lstm) {
        return new LstmWeights(param(lstm, "l_0_i2h_WEIGHT"), param(lstm, "l_0_h2h_WEIGHT"),
                param(lstm, "l_0_i2h_BIAS"), param(lstm, "l_0_h2h_BIAS"));
    }

    static io.crossmodal.runtime.onnx.Linear linear(Linear l) {
        FloatTensor w = param(l, "weight");
        Parameter bias = l.getDirectParameters().get("bias");
        return new io.crossmodal.runtime.onnx.Linear(w, bias == null ? null : tensor(bias.getArray()));
    }

    private static FloatTensor param(Block block, String name) {
        Parameter p = block.getDirectParameters().get(name);
        if (p == null) {
            throw new IllegalStateException("parameter " + name + " not found in " + block.getDirectParameters().keys());
        }
        return tensor(p.getArray());
    }
}
