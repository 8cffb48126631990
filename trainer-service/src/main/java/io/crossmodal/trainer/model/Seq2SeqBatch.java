package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import java.util.List;

/** Host-side padding of a batch into the arrays {@link Seq2SeqBlock} expects. */
public final class Seq2SeqBatch {
    private Seq2SeqBatch() {}

    /** Source side: tokens [B,T], per-sequence reverse index [B,T], mask [B,T]. */
    public static NDList source(NDManager m, List<long[]> src) {
        int b = src.size();
        int t = src.stream().mapToInt(a -> a.length).max().orElse(1);
        long[] tokens = new long[b * t];
        long[] rev = new long[b * t];
        float[] mask = new float[b * t];
        for (int i = 0; i < b; i++) {
            long[] s = src.get(i);
            if (s.length == 0) {
                throw new IllegalArgumentException("empty source sequence in batch at row " + i);
            }
            for (int j = 0; j < t; j++) {
                boolean real = j < s.length;
                tokens[i * t + j] = real ? s[j] : Vocabulary.PAD;
                rev[i * t + j] = real ? s.length - 1 - j : j;
                mask[i * t + j] = real ? 1f : 0f;
            }
        }
        Shape shape = new Shape(b, t);
        return new NDList(m.create(tokens, shape), m.create(rev, shape), m.create(mask, shape));
    }

    /** Target side, teacher forced: input {@code <s> y}, output {@code y </s>}, mask. */
    public static NDList target(NDManager m, List<long[]> tgt) {
        int b = tgt.size();
        int u = tgt.stream().mapToInt(a -> a.length).max().orElse(0) + 1;
        long[] in = new long[b * u];
        long[] out = new long[b * u];
        float[] mask = new float[b * u];
        for (int i = 0; i < b; i++) {
            long[] y = tgt.get(i);
            for (int j = 0; j <= y.length; j++) {
                in[i * u + j] = j == 0 ? Vocabulary.BOS : y[j - 1];
                out[i * u + j] = j == y.length ? Vocabulary.EOS : y[j];
                mask[i * u + j] = 1f;
            }
        }
        Shape shape = new Shape(b, u);
        return new NDList(m.create(in, shape), m.create(out, shape), m.create(mask, shape));
    }

    /** The full training input of {@link Seq2SeqBlock#forward}. */
    public static NDList pairs(NDManager m, List<long[]> src, List<long[]> tgt) {
        NDList all = source(m, src);
        all.addAll(target(m, tgt));
        return all;
    }

    static NDArray longs(NDManager m, long[] v) {
        return m.create(v);
    }
}
