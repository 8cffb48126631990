package io.crossmodal.family.seq2seq.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A hand-made deterministic model over ids {pad, s, /s, unk, A=4, B=5}. The decoder state h
 * carries the prefix (h[0] = length, h[1..] = tokens), so correct state bookkeeping in the search
 * is required to get the table's probabilities. Source [B] swaps the roles of A and B.
 */
final class ToyStepModel implements StepModel {

    static final int A = 4;
    static final int B = 5;
    static final int MAX = 16;

    /** p(next | prefix) for source [A]; prefixes not listed end with high probability. */
    static final Map<String, double[]> TABLE = Map.of(
            "", dist(0.0, 0.6, 0.4),
            "A", dist(0.4, 0.35, 0.25),
            "B", dist(0.9, 0.05, 0.05),
            "AA", dist(0.5, 0.25, 0.25));

    final List<Integer> stepSizes = new ArrayList<>();

    /** Probabilities for {/s, A, B}; reserved ids get a little mass so banned-token handling is exercised. */
    static double[] dist(double eos, double a, double b) {
        double[] p = new double[6];
        p[SpecialTokens.PAD] = 0.001;
        p[SpecialTokens.BOS] = 0.001;
        p[SpecialTokens.UNK] = 0.5; // larger than anything: must never be emitted
        p[SpecialTokens.EOS] = eos;
        p[A] = a;
        p[B] = b;
        return p;
    }

    @Override
    public Encoded encode(long[][] tokens) {
        List<SourceEncoding> rows = new ArrayList<>();
        for (long[] t : tokens) {
            float[][] mem = new float[t.length][1];
            for (int i = 0; i < t.length; i++) {
                mem[i][0] = t[i];
            }
            rows.add(new SourceEncoding(mem, mem, new float[MAX + 1], new float[MAX + 1]));
        }
        return new Encoded(rows);
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
        int n = sourceRow.length;
        stepSizes.add(n);
        float[][] lp = new float[n][];
        float[][] hs = new float[n][];
        for (int i = 0; i < n; i++) {
            boolean swap = enc.row(sourceRow[i]).memory()[0][0] == B;
            float[] state = h[i].clone();
            int len = (int) state[0];
            long prev = prevTokens[i];
            if (prev != SpecialTokens.BOS) {
                state[1 + len] = prev;
                state[0] = ++len;
            } else if (len != 0) {
                throw new IllegalStateException("<s> fed to a non-empty prefix");
            }
            StringBuilder key = new StringBuilder();
            for (int k = 0; k < len; k++) {
                int tok = (int) state[1 + k];
                if (swap) {
                    tok = tok == A ? B : A;
                }
                key.append(tok == A ? 'A' : 'B');
            }
            double[] p = TABLE.getOrDefault(key.toString(), dist(0.9, 0.05, 0.05));
            if (swap) {
                p = p.clone();
                double t = p[A];
                p[A] = p[B];
                p[B] = t;
            }
            double z = Arrays.stream(p).sum();
            lp[i] = new float[6];
            for (int v = 0; v < 6; v++) {
                lp[i][v] = (float) Math.log(p[v] / z);
            }
            hs[i] = state;
        }
        return new StepOutput(lp, hs, hs, null);
    }

    @Override
    public int vocabSize() {
        return 6;
    }

    static double logP(double... ps) {
        double s = 0;
        for (double p : ps) {
            s += Math.log(p / 1.502);
        }
        return s;
    }
}
