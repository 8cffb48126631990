package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunControl;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Batched beam search: every input keeps up to {@code width} live hypotheses and all of them, over
 * all inputs, are advanced by one {@link StepModel#step} call. A hypothesis that reaches
 * {@code maxLength} tokens is forced to end with {@code </s>}, so its score stays a proper sequence
 * log-probability. Without length normalisation the search stops for an input as soon as
 * {@code nBest} finished hypotheses score at least as well as its best live one (scores only
 * decrease, so nothing can overtake them).
 *
 * <p>{@code nBest} and {@code maxLength} are either shared or given per input ({@link #perInput}): they
 * only decide when an input's beam stops and how many of its hypotheses are kept, so inputs that
 * asked for different values still share every step, with the result each would get alone.
 */
public final class BeamSearch implements SequenceSearch {

    private final int width;
    private final int nBest;
    private final int maxLength;
    private final boolean lengthNormalization;
    private final int[] nBests;
    private final int[] maxLengths;

    public BeamSearch(int width, int nBest, int maxLength) {
        this(width, nBest, maxLength, false);
    }

    public BeamSearch(int width, int nBest, int maxLength, boolean lengthNormalization) {
        this(width, nBest, maxLength, lengthNormalization, null, null);
    }

    private BeamSearch(int width, int nBest, int maxLength, boolean lengthNormalization, int[] nBests, int[] maxLengths) {
        check(width, nBest, maxLength);
        if (nBests != null) {
            PerInput.checkCount("maxLengths", maxLengths, nBests.length);
            for (int i = 0; i < nBests.length; i++) {
                check(width, nBests[i], maxLengths[i]);
            }
        }
        this.width = width;
        this.nBest = nBest;
        this.maxLength = maxLength;
        this.lengthNormalization = lengthNormalization;
        this.nBests = nBests == null ? null : nBests.clone();
        this.maxLengths = maxLengths == null ? null : maxLengths.clone();
    }

    /** Beam search of one width with n-best and length limit per input ({@code nBests[i]}, {@code maxLengths[i]}). */
    public static BeamSearch perInput(int width, int[] nBests, int[] maxLengths, boolean lengthNormalization) {
        if (nBests.length != maxLengths.length) {
            throw new IllegalArgumentException("nBests and maxLengths differ in length: " + nBests.length + " vs "
                    + maxLengths.length);
        }
        int nBest = java.util.Arrays.stream(nBests).max().orElse(1);
        int maxLength = java.util.Arrays.stream(maxLengths).max().orElse(1);
        return new BeamSearch(width, Math.min(nBest, width), maxLength, lengthNormalization, nBests, maxLengths);
    }

    private static void check(int width, int nBest, int maxLength) {
        if (width < 1 || nBest < 1 || nBest > width || maxLength < 1) {
            throw new IllegalArgumentException("need width >= 1, 1 <= nBest <= width, maxLength >= 1; got width="
                    + width + " nBest=" + nBest + " maxLength=" + maxLength);
        }
    }

    private int nBest(int input) {
        return nBests == null ? nBest : nBests[input];
    }

    private int maxLength(int input) {
        return maxLengths == null ? maxLength : maxLengths[input];
    }

    private record Candidate(int parent, int token, double score, double tokenLogProb) {
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources) {
        return search(model, sources, RunControl.NONE);
    }

    @Override
    public List<List<Hypothesis>> search(StepModel model, long[][] sources, RunControl control) {
        PerInput.checkCount("nBests", nBests, sources.length);
        Encoded enc = model.encode(sources, control);
        List<List<Live>> beams = new ArrayList<>();
        List<List<Hypothesis>> finished = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            beams.add(List.of(Live.start(i, enc.row(i))));
            finished.add(new ArrayList<>());
        }
        while (true) {
            List<Live> batch = new ArrayList<>();
            beams.forEach(batch::addAll);
            if (batch.isEmpty()) {
                break;
            }
            StepOutput out = Live.step(model, enc, batch, control);
            int offset = 0;
            for (int i = 0; i < beams.size(); i++) {
                List<Live> current = beams.get(i);
                if (!current.isEmpty()) {
                    beams.set(i, advance(current, out, offset, finished.get(i), nBest(i), maxLength(i)));
                    offset += current.size();
                }
            }
        }
        control.checkCancelled();
        Comparator<Hypothesis> order = Comparator.comparingDouble(
                (Hypothesis h) -> lengthNormalization ? h.normalizedLogProb() : h.logProb()).reversed();
        List<List<Hypothesis>> result = new ArrayList<>();
        for (int i = 0; i < finished.size(); i++) {
            List<Hypothesis> sorted = new ArrayList<>(finished.get(i));
            sorted.sort(order);
            result.add(List.copyOf(sorted.subList(0, Math.min(nBest(i), sorted.size()))));
        }
        return result;
    }

    /** Expands one input's beam; finished hypotheses go to {@code done}; returns the next beam. */
    private List<Live> advance(List<Live> current, StepOutput out, int offset, List<Hypothesis> done, int nBest,
            int maxLength) {
        List<Candidate> candidates = new ArrayList<>();
        for (int k = 0; k < current.size(); k++) {
            Live parent = current.get(k);
            float[] lp = out.logProbs()[offset + k];
            if (parent.tokens().length >= maxLength) {
                candidates.add(new Candidate(k, SpecialTokens.EOS, parent.logProb() + lp[SpecialTokens.EOS], lp[SpecialTokens.EOS]));
                continue;
            }
            // width + 1 per parent suffice: at most width live children plus one </s> can be taken from it
            for (int v : TokenSelection.topK(lp, width + 1)) {
                candidates.add(new Candidate(k, v, parent.logProb() + lp[v], lp[v]));
            }
        }
        // stable sort: ties keep (parent, token) order, so results do not depend on the engine
        candidates.sort(Comparator.comparingDouble(Candidate::score).reversed());
        List<Live> next = new ArrayList<>(width);
        for (Candidate cand : candidates) {
            if (next.size() == width) {
                break;
            }
            Live parent = current.get(cand.parent());
            if (cand.token() == SpecialTokens.EOS) {
                done.add(parent.finish(cand.tokenLogProb()));
            } else {
                next.add(parent.extend(cand.token(), cand.tokenLogProb(),
                        out.h()[offset + cand.parent()], out.c()[offset + cand.parent()]));
            }
        }
        return finishedEnough(next, done, nBest) ? List.of() : next;
    }

    private boolean finishedEnough(List<Live> next, List<Hypothesis> done, int nBest) {
        if (next.isEmpty()) {
            return true;
        }
        if (lengthNormalization) {
            // normalised scores can rise with length, so there is no exact bound: stop at a full beam
            return done.size() >= width;
        }
        if (done.size() < nBest) {
            return false;
        }
        double[] scores = done.stream().mapToDouble(Hypothesis::logProb).sorted().toArray();
        double nth = scores[scores.length - nBest];
        return next.get(0).logProb() <= nth;
    }

    public int width() {
        return width;
    }

    /** The n-best size (the largest one for a per-input search). */
    public int nBest() {
        return nBest;
    }

    /** The length limit (the largest one for a per-input search). */
    public int maxLength() {
        return maxLength;
    }

    public boolean lengthNormalization() {
        return lengthNormalization;
    }
}
