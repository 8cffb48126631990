package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.family.seq2seq.search.PriorStepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;

/** Plain-Java forward pass of the prior LM; ground truth for {@link PriorGraphs}. */
public final class PriorReference implements PriorStepModel {

    private final PriorWeights w;

    public PriorReference(PriorWeights weights) {
        this.w = weights;
    }

    /** One step for one sequence: {logits, logProbs, h', c'}. */
    public float[][] stepOne(long prevToken, float[] h, float[] c) {
        float[][] hc = ReferenceMath.lstmStep(w.lstm(), ReferenceMath.embed(w.embed(), prevToken), h, c);
        float[] logits = w.logits().apply(hc[0]);
        return new float[][] {logits, ReferenceMath.logSoftmax(logits), hc[0], hc[1]};
    }

    @Override
    public StepOutput step(long[] prevTokens, float[][] h, float[][] c) {
        int n = prevTokens.length;
        float[][] lp = new float[n][];
        float[][] hs = new float[n][];
        float[][] cs = new float[n][];
        for (int i = 0; i < n; i++) {
            float[][] r = stepOne(prevTokens[i], h[i], c[i]);
            lp[i] = r[1];
            hs[i] = r[2];
            cs[i] = r[3];
        }
        return new StepOutput(lp, hs, cs, null);
    }

    @Override
    public int vocabSize() {
        return w.vocabSize();
    }

    @Override
    public int hiddenSize() {
        return w.hiddenSize();
    }
}
