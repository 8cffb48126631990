package io.crossmodal.core.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched ancestral sampling from softmax(logits / temperature). Each search call starts a fresh
 * generator from {@code seed} and draws in a fixed order, so results are reproducible. Reported
 * log-probabilities are the model's (temperature 1); samples come back sorted best first.
 */
public final class SamplingSearch implements SequenceSearch {

    private final int numSamples;
    private final double temperature;
    private final int maxLength;
    private final long seed;

    public SamplingSearch(int numSamples, double temperature, int maxLength, long seed) {
        if (numSamples < 1 || !(temperature > 0) || maxLength < 1) {
            throw new IllegalArgumentException("need numSamples >= 1, temperature > 0, maxLength >= 1; got "
                    + numSamples + ", " + temperature + ", " + maxLength);
        }
        this.numSamples = numSamples;
        this.temperature = temperature;
        this.maxLength = maxLength;
        this.seed = seed;
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources) {
        SplittableRandom rng = new SplittableRandom(seed);
        Encoded enc = model.encode(sources);
        List<List<Hypothesis>> result = new ArrayList<>();
        List<Live> live = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            result.add(new ArrayList<>());
            for (int s = 0; s < numSamples; s++) {
                live.add(Live.start(i, enc.row(i)));
            }
        }
        while (!live.isEmpty()) {
            StepOutput out = Live.step(model, enc, live);
            List<Live> next = new ArrayList<>();
            for (int n = 0; n < live.size(); n++) {
                Live l = live.get(n);
                float[] lp = out.logProbs()[n];
                int v = l.tokens().length >= maxLength ? SpecialTokens.EOS : TokenSelection.sample(lp, temperature, rng);
                if (v == SpecialTokens.EOS) {
                    result.get(l.input()).add(l.finish(lp[v]));
                } else {
                    next.add(l.extend(v, lp[v], out.h()[n], out.c()[n]));
                }
            }
            live = next;
        }
        result.forEach(list -> list.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed()));
        return result.stream().map(List::copyOf).toList();
    }
}
