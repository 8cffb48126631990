package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched greedy decoding directly on DJL arrays. Used for the dev metric during training,
 * where it is much cheaper than beam search; final evaluation uses beam search.
 */
public final class GreedyDecoder {
    private GreedyDecoder() {}

    public static List<long[]> decode(Seq2SeqBlock block, NDManager parent, List<long[]> sources, int maxLen) {
        try (NDManager m = parent.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDList src = Seq2SeqBatch.source(m, sources);
            Seq2SeqBlock.Encoded enc = block.encode(ps, src.get(0), src.get(1), src.get(2), false);
            int n = sources.size();
            NDArray prev = m.full(new ai.djl.ndarray.types.Shape(n), Vocabulary.BOS, ai.djl.ndarray.types.DataType.INT64);
            NDArray h = enc.initH();
            NDArray c = enc.initC();
            long[][] out = new long[n][maxLen];
            int[] len = new int[n];
            Arrays.fill(len, -1);
            int finished = 0;
            for (int t = 0; t < maxLen && finished < n; t++) {
                NDList step = block.step(ps, prev, h, c, enc);
                prev = step.get(0).argMax(1);
                h = step.get(1);
                c = step.get(2);
                long[] ids = prev.toLongArray();
                for (int i = 0; i < n; i++) {
                    if (len[i] >= 0) {
                        continue;
                    }
                    if (ids[i] == Vocabulary.EOS) {
                        len[i] = t;
                        finished++;
                    } else {
                        out[i][t] = ids[i];
                    }
                }
            }
            List<long[]> result = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                result.add(Arrays.copyOf(out[i], len[i] >= 0 ? len[i] : maxLen));
            }
            return result;
        }
    }
}
