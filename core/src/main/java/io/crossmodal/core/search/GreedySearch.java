package io.crossmodal.core.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Batched greedy decoding: the best token at every step, one hypothesis per input. */
public final class GreedySearch implements SequenceSearch {

    private final int maxLength;

    public GreedySearch(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources) {
        Encoded enc = model.encode(sources);
        Hypothesis[] result = new Hypothesis[sources.length];
        List<Live> live = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            live.add(Live.start(i, enc.row(i)));
        }
        while (!live.isEmpty()) {
            StepOutput out = Live.step(model, enc, live);
            List<Live> next = new ArrayList<>();
            for (int n = 0; n < live.size(); n++) {
                Live l = live.get(n);
                float[] lp = out.logProbs()[n];
                int v = l.tokens().length >= maxLength ? SpecialTokens.EOS : TokenSelection.argmax(lp);
                if (v == SpecialTokens.EOS) {
                    result[l.input()] = l.finish(lp[v]);
                } else {
                    next.add(l.extend(v, lp[v], out.h()[n], out.c()[n]));
                }
            }
            live = next;
        }
        return Arrays.stream(result).map(List::of).toList();
    }

    public int maxLength() {
        return maxLength;
    }
}
