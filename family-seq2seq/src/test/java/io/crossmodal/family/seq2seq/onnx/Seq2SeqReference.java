package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.SourceEncoding;
import io.crossmodal.family.seq2seq.search.StepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain-Java forward pass of the seq2seq model, one unpadded sequence at a time. It is the
 * numerical ground truth for the ONNX graphs (gate order, padding, masking) and, as a
 * {@link StepModel}, lets the search run without any engine.
 */
public final class Seq2SeqReference implements StepModel {

    private final Seq2SeqWeights w;

    public Seq2SeqReference(Seq2SeqWeights weights) {
        this.w = weights;
    }

    /** One decoder step for one hypothesis. */
    public record DecoderStep(float[] logits, float[] logProbs, float[] h, float[] c, float[] attention) {
    }

    /** Encodes one source sequence (no padding, no {@code <s>}/{@code </s>}). */
    public SourceEncoding encodeOne(long[] tokens) {
        int t = tokens.length;
        if (t == 0) {
            throw new IllegalArgumentException("empty source sequence");
        }
        int he = w.encoderHidden();
        float[][] x = new float[t][];
        for (int i = 0; i < t; i++) {
            x[i] = ReferenceMath.embed(w.srcEmbed(), tokens[i]);
        }
        float[][] fwd = run(w.encFwd(), x, false);
        float[][] bwd = run(w.encBwd(), x, true);
        float[][] memory = new float[t][];
        float[][] keys = new float[t][];
        double[] sum = new double[2 * he];
        for (int i = 0; i < t; i++) {
            memory[i] = ReferenceMath.concat(fwd[i], bwd[i]);
            keys[i] = w.keyProj().apply(memory[i]);
            for (int j = 0; j < 2 * he; j++) {
                sum[j] += memory[i][j];
            }
        }
        float[] mean = new float[2 * he];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = (float) (sum[j] / t);
        }
        float[] c0 = ReferenceMath.tanh(w.bridgeC().apply(mean));
        if (w.locationAware()) {
            c0 = ReferenceMath.concat(c0, new float[] {LocationAttention.INITIAL_FOCUS});
        }
        return new SourceEncoding(memory, keys, ReferenceMath.tanh(w.bridgeH().apply(mean)), c0);
    }

    private static float[][] run(LstmWeights lstm, float[][] x, boolean reverse) {
        int hs = lstm.hiddenSize();
        float[] h = new float[hs];
        float[] c = new float[hs];
        float[][] out = new float[x.length][];
        for (int s = 0; s < x.length; s++) {
            int i = reverse ? x.length - 1 - s : s;
            float[][] hc = ReferenceMath.lstmStep(lstm, x[i], h, c);
            h = hc[0];
            c = hc[1];
            out[i] = h;
        }
        return out;
    }

    /** One decoder step: LSTM, attention over {@code src}, output layer. */
    public DecoderStep decodeStep(SourceEncoding src, long prevToken, float[] h, float[] c) {
        int hd = w.decoderHidden();
        float[] cell = w.locationAware() ? java.util.Arrays.copyOf(c, hd) : c;
        float[][] hc = ReferenceMath.lstmStep(w.dec(), ReferenceMath.embed(w.tgtEmbed(), prevToken), h, cell);
        float[] hNew = hc[0];
        double[] scores = new double[src.length()];
        for (int s = 0; s < scores.length; s++) {
            scores[s] = ReferenceMath.dot(hNew, src.keys()[s]);
            if (w.locationAware()) {
                scores[s] += w.location().bias(s, c[hd]);
            }
        }
        float[] attention = ReferenceMath.softmax(scores);
        float[] cOut = hc[1];
        if (w.locationAware()) {
            double focus = 0;
            for (int s = 0; s < scores.length; s++) {
                focus += (double) attention[s] * s;
            }
            cOut = ReferenceMath.concat(hc[1], new float[] {(float) focus});
        }
        double[] ctx = new double[w.memorySize()];
        for (int s = 0; s < scores.length; s++) {
            for (int j = 0; j < ctx.length; j++) {
                ctx[j] += (double) attention[s] * src.memory()[s][j];
            }
        }
        float[] ctxF = new float[ctx.length];
        for (int j = 0; j < ctx.length; j++) {
            ctxF[j] = (float) ctx[j];
        }
        float[] o = ReferenceMath.tanh(w.outProj().apply(ReferenceMath.concat(hNew, ctxF)));
        float[] logits = w.logits().apply(o);
        return new DecoderStep(logits, ReferenceMath.logSoftmax(logits), hNew, cOut, attention);
    }

    @Override
    public Encoded encode(long[][] tokens) {
        List<SourceEncoding> rows = new ArrayList<>(tokens.length);
        for (long[] t : tokens) {
            rows.add(encodeOne(t));
        }
        return new Encoded(rows);
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
        int n = sourceRow.length;
        float[][] lp = new float[n][];
        float[][] hs = new float[n][];
        float[][] cs = new float[n][];
        float[][] att = new float[n][];
        for (int i = 0; i < n; i++) {
            DecoderStep d = decodeStep(enc.row(sourceRow[i]), prevTokens[i], h[i], c[i]);
            lp[i] = d.logProbs();
            hs[i] = d.h();
            cs[i] = d.c();
            att[i] = d.attention();
        }
        return new StepOutput(lp, hs, cs, att);
    }

    @Override
    public int vocabSize() {
        return w.tgtVocabSize();
    }

    public Seq2SeqWeights weights() {
        return w;
    }
}
