package io.crossmodal.family.seq2seq.search;

/** An unconditional LM step (the prior p(y)); state starts at zeros. */
public interface PriorStepModel extends AutoCloseable {

    /** Advances N sequences by one token; the output has no attention. */
    StepOutput step(long[] prevTokens, float[][] h, float[][] c);

    int vocabSize();

    int hiddenSize();

    @Override
    default void close() {
    }

    /**
     * Total log p(y) of each sequence, {@code </s>} included (ids without {@code <s>}/{@code </s>}),
     * all sequences advanced together.
     */
    default double[] logProb(long[][] sequences) {
        int n = sequences.length;
        double[] total = new double[n];
        float[][] h = new float[n][hiddenSize()];
        float[][] c = new float[n][hiddenSize()];
        long[] prev = new long[n];
        java.util.Arrays.fill(prev, SpecialTokens.BOS);
        int maxLen = 0;
        for (long[] s : sequences) {
            maxLen = Math.max(maxLen, s.length);
        }
        // Rows that are already done keep stepping on padding; their results are ignored.
        for (int t = 0; t <= maxLen; t++) {
            StepOutput out = step(prev, h, c);
            for (int i = 0; i < n; i++) {
                int len = sequences[i].length;
                if (t <= len) {
                    int next = t < len ? (int) sequences[i][t] : SpecialTokens.EOS;
                    total[i] += out.logProbs()[i][next];
                    prev[i] = t < len ? sequences[i][t] : SpecialTokens.PAD;
                }
            }
            h = out.h();
            c = out.c();
        }
        return total;
    }

    /** Views the prior as a {@link StepModel} whose sources are ignored, e.g. to sample from it. */
    default StepModel asStepModel() {
        PriorStepModel prior = this;
        return new StepModel() {
            @Override
            public Encoded encode(long[][] tokens) {
                java.util.List<SourceEncoding> rows = new java.util.ArrayList<>();
                for (int i = 0; i < tokens.length; i++) {
                    rows.add(new SourceEncoding(new float[0][], new float[0][],
                            new float[prior.hiddenSize()], new float[prior.hiddenSize()]));
                }
                return new Encoded(rows);
            }

            @Override
            public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
                return prior.step(prevTokens, h, c);
            }

            @Override
            public int vocabSize() {
                return prior.vocabSize();
            }
        };
    }
}
