package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.SourceEncoding;
import io.crossmodal.family.seq2seq.search.StepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link StepModel} over the trainer's own DJL block, so core's search runs unchanged on the
 * training engine: the reference side of the ONNX parity tests, and beam search in evaluation.
 */
public final class DjlStepModel implements StepModel {
    private final Seq2SeqBlock block;
    private final NDManager manager;

    public DjlStepModel(Seq2SeqBlock block, NDManager parent) {
        this.block = block;
        this.manager = parent.newSubManager();
    }

    @Override
    public Encoded encode(long[][] tokens) {
        try (NDManager m = manager.newSubManager()) {
            NDList src = Seq2SeqBatch.source(m, Arrays.asList(tokens));
            Seq2SeqBlock.Encoded e = block.encode(new ParameterStore(m, false), src.get(0), src.get(1), src.get(2), false);
            float[][][] memory = rows3(e.memory());
            float[][][] keys = rows3(e.keys());
            float[][] h = rows2(e.initH());
            float[][] c = rows2(e.initC());
            List<SourceEncoding> out = new ArrayList<>();
            for (int i = 0; i < tokens.length; i++) {
                int len = tokens[i].length;
                out.add(new SourceEncoding(Arrays.copyOf(memory[i], len), Arrays.copyOf(keys[i], len), h[i], c[i]));
            }
            return new Encoded(out);
        }
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
        int n = sourceRow.length;
        int t = enc.maxLength(sourceRow);
        int dm = enc.row(0).memory()[0].length;
        int dk = enc.row(0).keys()[0].length;
        float[] memory = new float[n * t * dm];
        float[] keys = new float[n * t * dk];
        float[] mask = new float[n * t];
        for (int i = 0; i < n; i++) {
            SourceEncoding row = enc.row(sourceRow[i]);
            for (int s = 0; s < row.length(); s++) {
                System.arraycopy(row.memory()[s], 0, memory, (i * t + s) * dm, dm);
                System.arraycopy(row.keys()[s], 0, keys, (i * t + s) * dk, dk);
                mask[i * t + s] = 1f;
            }
        }
        try (NDManager m = manager.newSubManager()) {
            Seq2SeqBlock.Encoded rows = new Seq2SeqBlock.Encoded(m.create(memory, new Shape(n, t, dm)),
                    m.create(keys, new Shape(n, t, dk)), m.create(mask, new Shape(n, t)), null, null);
            NDList out = block.step(new ParameterStore(m, false), m.create(prevTokens), m.create(h), m.create(c), rows);
            return new StepOutput(rows2(out.get(0).logSoftmax(1)), rows2(out.get(1)), rows2(out.get(2)), null);
        }
    }

    @Override
    public int vocabSize() {
        return block.spec().tgtVocab();
    }

    @Override
    public void close() {
        manager.close();
    }

    static float[][] rows2(NDArray a) {
        int n = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }

    static float[][][] rows3(NDArray a) {
        int n = (int) a.getShape().get(0);
        int t = (int) a.getShape().get(1);
        int d = (int) a.getShape().get(2);
        float[] flat = a.toFloatArray();
        float[][][] out = new float[n][t][];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < t; s++) {
                out[i][s] = Arrays.copyOfRange(flat, (i * t + s) * d, (i * t + s + 1) * d);
            }
        }
        return out;
    }
}
