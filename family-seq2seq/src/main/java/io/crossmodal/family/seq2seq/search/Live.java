package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunControl;
import java.util.List;

/** A hypothesis still being extended, with its decoder state. Immutable; children share parents' arrays. */
record Live(int input, long[] tokens, double logProb, float[] h, float[] c) {

    long lastToken() {
        return tokens.length == 0 ? SpecialTokens.BOS : tokens[tokens.length - 1];
    }

    Live extend(int token, double tokenLogProb, float[] newH, float[] newC) {
        long[] t = java.util.Arrays.copyOf(tokens, tokens.length + 1);
        t[tokens.length] = token;
        return new Live(input, t, logProb + tokenLogProb, newH, newC);
    }

    Hypothesis finish(double eosLogProb) {
        return new Hypothesis(tokens, logProb + eosLogProb);
    }

    static Live start(int input, SourceEncoding src) {
        return new Live(input, new long[0], 0.0, src.initH(), src.initC());
    }

    /** Runs one batched step over all live hypotheses (in list order). */
    static StepOutput step(StepModel model, Encoded enc, List<Live> live, RunControl control) {
        int n = live.size();
        int[] rows = new int[n];
        long[] prev = new long[n];
        float[][] h = new float[n][];
        float[][] c = new float[n][];
        for (int i = 0; i < n; i++) {
            Live l = live.get(i);
            rows[i] = l.input;
            prev[i] = l.lastToken();
            h[i] = l.h;
            c[i] = l.c;
        }
        control.checkCancelled();
        StepOutput out = model.step(enc, rows, prev, h, c, control);
        if (out.size() != n) {
            throw new IllegalStateException("step returned " + out.size() + " rows for " + n + " hypotheses");
        }
        return out;
    }
}
