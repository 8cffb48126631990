package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunControl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched greedy decoding: the best token at every step, one hypothesis per input. The length limit
 * is either one for all inputs or one per input ({@link #perInput}), so inputs that asked for
 * different limits still share one batch; each input's result does not depend on the others.
 */
public final class GreedySearch implements SequenceSearch {

    private final int maxLength;
    private final int[] maxLengths;

    public GreedySearch(int maxLength) {
        this(maxLength, null);
    }

    private GreedySearch(int maxLength, int[] maxLengths) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        if (maxLengths != null) {
            for (int m : maxLengths) {
                if (m < 1) {
                    throw new IllegalArgumentException("maxLength must be >= 1, got " + m);
                }
            }
        }
        this.maxLength = maxLength;
        this.maxLengths = maxLengths == null ? null : maxLengths.clone();
    }

    /** Greedy search with one length limit per input (input i ends at {@code maxLengths[i]} tokens). */
    public static GreedySearch perInput(int[] maxLengths) {
        return new GreedySearch(Arrays.stream(maxLengths).max().orElse(1), maxLengths);
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources) {
        return search(model, sources, RunControl.NONE);
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources, RunControl control) {
        PerInput.checkCount("maxLengths", maxLengths, sources.length);
        Encoded enc = model.encode(sources, control);
        Hypothesis[] result = new Hypothesis[sources.length];
        List<Live> live = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            live.add(Live.start(i, enc.row(i)));
        }
        while (!live.isEmpty()) {
            StepOutput out = Live.step(model, enc, live, control);
            List<Live> next = new ArrayList<>();
            for (int n = 0; n < live.size(); n++) {
                Live l = live.get(n);
                float[] lp = out.logProbs()[n];
                int limit = maxLengths == null ? maxLength : maxLengths[l.input()];
                int v = l.tokens().length >= limit ? SpecialTokens.EOS : TokenSelection.argmax(lp);
                if (v == SpecialTokens.EOS) {
                    result[l.input()] = l.finish(lp[v]);
                } else {
                    next.add(l.extend(v, lp[v], out.h()[n], out.c()[n]));
                }
            }
            live = next;
        }
        control.checkCancelled();
        return Arrays.stream(result).map(List::of).toList();
    }

    /** The length limit (the largest one for a per-input search). */
    public int maxLength() {
        return maxLength;
    }
}
