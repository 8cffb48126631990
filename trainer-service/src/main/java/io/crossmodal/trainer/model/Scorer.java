package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Per-sequence log-probabilities under the trainer's blocks, batched and without gradient (the
 * values come back as host doubles): {@code log p(tgt | src)} from a {@link Seq2SeqBlock} and
 * {@code log p(y)} from the {@link PriorBlock}, {@code </s>} included. These are the negated
 * per-sequence NLLs (output 1) of the blocks' own forward.
 */
public final class Scorer {
    static final int CHUNK = 256;

    private Scorer() {}

    /** log p(tgt_i | src_i) for each pair; sources must be non-empty. */
    public static double[] conditional(Seq2SeqBlock block, NDManager parent, List<long[]> src, List<long[]> tgt) {
        if (src.size() != tgt.size()) {
            throw new IllegalArgumentException(src.size() + " sources but " + tgt.size() + " targets");
        }
        double[] out = new double[src.size()];
        for (int i = 0; i < src.size(); i += CHUNK) {
            int end = Math.min(src.size(), i + CHUNK);
            try (NDManager m = parent.newSubManager()) {
                NDList res = block.forward(new ParameterStore(m, false),
                        Seq2SeqBatch.pairs(m, src.subList(i, end), tgt.subList(i, end)), false);
                copyNegated(res.get(1).toFloatArray(), out, i);
            }
        }
        return out;
    }

    /** log p(y_i) for each sequence under the prior. */
    public static double[] prior(PriorBlock block, NDManager parent, List<long[]> seqs) {
        double[] out = new double[seqs.size()];
        for (int i = 0; i < seqs.size(); i += CHUNK) {
            int end = Math.min(seqs.size(), i + CHUNK);
            try (NDManager m = parent.newSubManager()) {
                NDList res = block.forward(new ParameterStore(m, false), Seq2SeqBatch.target(m, seqs.subList(i, end)), false);
                copyNegated(res.get(1).toFloatArray(), out, i);
            }
        }
        return out;
    }

    private static void copyNegated(float[] nll, double[] out, int at) {
        for (int j = 0; j < nll.length; j++) {
            out[at + j] = -nll[j];
        }
    }
}
