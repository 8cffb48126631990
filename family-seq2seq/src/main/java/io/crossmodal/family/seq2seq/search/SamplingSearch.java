package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunControl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched ancestral sampling from softmax(logits / temperature). Each search call starts a fresh
 * generator from {@code seed} and draws in a fixed order, so results are reproducible. Reported
 * log-probabilities are the model's (temperature 1); samples come back sorted best first.
 *
 * <p>A {@linkplain #perInput per-input} search gives every input its own generator (from its own
 * seed) and its own length limit: an input's samples are then exactly those it gets when sampled
 * alone with that seed, whatever else shares the batch. (With one shared generator, the draws of an
 * input depend on the inputs before it.)
 */
public final class SamplingSearch implements SequenceSearch {

    private final int numSamples;
    private final double temperature;
    private final int maxLength;
    private final long seed;
    private final int[] maxLengths;
    private final long[] seeds;

    public SamplingSearch(int numSamples, double temperature, int maxLength, long seed) {
        this(numSamples, temperature, maxLength, seed, null, null);
    }

    private SamplingSearch(int numSamples, double temperature, int maxLength, long seed, int[] maxLengths, long[] seeds) {
        if (numSamples < 1 || !(temperature > 0) || maxLength < 1) {
            throw new IllegalArgumentException("need numSamples >= 1, temperature > 0, maxLength >= 1; got "
                    + numSamples + ", " + temperature + ", " + maxLength);
        }
        if (maxLengths != null) {
            for (int m : maxLengths) {
                if (m < 1) {
                    throw new IllegalArgumentException("maxLength must be >= 1, got " + m);
                }
            }
        }
        this.numSamples = numSamples;
        this.temperature = temperature;
        this.maxLength = maxLength;
        this.seed = seed;
        this.maxLengths = maxLengths == null ? null : maxLengths.clone();
        this.seeds = seeds == null ? null : seeds.clone();
    }

    /** Sampling with a generator seeded by {@code seeds[i]} and a length limit {@code maxLengths[i]} per input. */
    public static SamplingSearch perInput(int numSamples, double temperature, int[] maxLengths, long[] seeds) {
        if (maxLengths.length != seeds.length) {
            throw new IllegalArgumentException("maxLengths and seeds differ in length: " + maxLengths.length + " vs "
                    + seeds.length);
        }
        return new SamplingSearch(numSamples, temperature, Arrays.stream(maxLengths).max().orElse(1), 0L, maxLengths, seeds);
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources) {
        return search(model, sources, RunControl.NONE);
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources, RunControl control) {
        PerInput.checkCount("maxLengths", maxLengths, sources.length);
        PerInput.checkCount("seeds", seeds, sources.length);
        SplittableRandom shared = new SplittableRandom(seed);
        SplittableRandom[] rngs = new SplittableRandom[sources.length];
        for (int i = 0; i < sources.length; i++) {
            rngs[i] = seeds == null ? shared : new SplittableRandom(seeds[i]);
        }
        Encoded enc = model.encode(sources, control);
        List<List<Hypothesis>> result = new ArrayList<>();
        List<Live> live = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            result.add(new ArrayList<>());
            for (int s = 0; s < numSamples; s++) {
                live.add(Live.start(i, enc.row(i)));
            }
        }
        while (!live.isEmpty()) {
            StepOutput out = Live.step(model, enc, live, control);
            List<Live> next = new ArrayList<>();
            for (int n = 0; n < live.size(); n++) {
                Live l = live.get(n);
                float[] lp = out.logProbs()[n];
                int limit = maxLengths == null ? maxLength : maxLengths[l.input()];
                int v = l.tokens().length >= limit ? SpecialTokens.EOS : TokenSelection.sample(lp, temperature, rngs[l.input()]);
                if (v == SpecialTokens.EOS) {
                    result.get(l.input()).add(l.finish(lp[v]));
                } else {
                    next.add(l.extend(v, lp[v], out.h()[n], out.c()[n]));
                }
            }
            live = next;
        }
        control.checkCancelled();
        result.forEach(list -> list.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed()));
        return result.stream().map(List::copyOf).toList();
    }
}
