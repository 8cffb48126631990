package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
/**
 * What a search needs from a conditional model, independent of the engine (ONNX Runtime for
 * serving, DJL for training-time parity tests). Decoding is batched: one {@link #step} call
 * advances all live hypotheses of all inputs together.
 */
public interface StepModel extends AutoCloseable {

    /** Encodes a batch of sources (token ids, no {@code <s>}/{@code </s>}, each non-empty). */
    Encoded encode(long[][] tokens);

    /**
     * Advances N hypotheses by one token. Hypothesis n attends over source row
     * {@code sourceRow[n]} of {@code enc}, was last fed {@code prevTokens[n]} and has state
     * ({@code h[n]}, {@code c[n]}).
     */
    StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c);

    /**
     * {@link #encode(long[][])} under a {@link RunControl}: fails with {@link RunCancelledException}
     * once it is cancelled. Engines that can abort a running call (ONNX Runtime) override this.
     */
    default Encoded encode(long[][] tokens, RunControl control) {
        control.checkCancelled();
        return encode(tokens);
    }

    /**
     * {@link #step} under a {@link RunControl}: fails with {@link RunCancelledException} once it
     * is cancelled. Engines that can abort a running call (ONNX Runtime) override this.
     */
    default StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c,
            RunControl control) {
        control.checkCancelled();
        return step(enc, sourceRow, prevTokens, h, c);
    }

    /** Size of the output vocabulary V. */
    int vocabSize();

    @Override
    default void close() {
    }
}
