package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunControl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several step models over the same vocabularies searched as one: each step's distribution is the
 * mean of the members' probabilities, {@code log (1/K sum_k p_k(v))} (a normalised mixture, so the
 * search's scores stay log-probabilities). The members' states ride side by side in the search's
 * opaque state vectors: an encoding's memory, keys and initial state, and every step's h and c, are
 * the members' ones concatenated in member order, and are split again for each member's step.
 *
 * <p>Used to score an ensemble and to label words for distilling it into one model; it takes
 * ownership of its members. Attention weights are the first member's.
 */
public final class EnsembleStepModel implements StepModel {

    private final List<StepModel> members;
    private final int vocab;
    /** The last encoding split per member: a search steps many times over one encoding. */
    private volatile Split lastSplit;

    private record Split(Encoded whole, List<Encoded> parts, int[] hWidths, int[] cWidths) {}

    public EnsembleStepModel(List<? extends StepModel> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member");
        }
        this.members = List.copyOf(members);
        this.vocab = members.get(0).vocabSize();
        for (StepModel m : members) {
            if (m.vocabSize() != vocab) {
                throw new IllegalArgumentException("ensemble members have different output vocabularies: " + m.vocabSize()
                        + " vs " + vocab);
            }
        }
    }

    public int size() {
        return members.size();
    }

    @Override
    public Encoded encode(long[][] tokens) {
        return encode(tokens, null);
    }

    @Override
    public Encoded encode(long[][] tokens, RunControl control) {
        List<Encoded> parts = new ArrayList<>(members.size());
        for (StepModel m : members) {
            parts.add(control == null ? m.encode(tokens) : m.encode(tokens, control));
        }
        List<SourceEncoding> rows = new ArrayList<>(tokens.length);
        for (int r = 0; r < tokens.length; r++) {
            List<SourceEncoding> each = new ArrayList<>(members.size());
            for (Encoded e : parts) {
                each.add(e.row(r));
            }
            rows.add(new SourceEncoding(concatRows(each, SourceEncoding::memory), concatRows(each, SourceEncoding::keys),
                    concat(each.stream().map(SourceEncoding::initH).toList()),
                    concat(each.stream().map(SourceEncoding::initC).toList())));
        }
        Encoded whole = new Encoded(rows);
        lastSplit = new Split(whole, parts, widths(parts, SourceEncoding::initH), widths(parts, SourceEncoding::initC));
        return whole;
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
        return step(enc, sourceRow, prevTokens, h, c, null);
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c, RunControl control) {
        Split split = splitOf(enc);
        int n = sourceRow.length;
        int k = members.size();
        float[][][] logProbs = new float[k][][];
        float[][][] hs = new float[k][][];
        float[][][] cs = new float[k][][];
        float[][] attention = null;
        int hOff = 0;
        int cOff = 0;
        for (int m = 0; m < k; m++) {
            // every hypothesis of one member has that member's widths (its rows' initial state sizes)
            int hw = split.hWidths()[m];
            int cw = split.cWidths()[m];
            float[][] hm = slice(h, hOff, hw);
            float[][] cm = slice(c, cOff, cw);
            StepOutput o = control == null ? members.get(m).step(split.parts().get(m), sourceRow, prevTokens, hm, cm)
                    : members.get(m).step(split.parts().get(m), sourceRow, prevTokens, hm, cm, control);
            logProbs[m] = o.logProbs();
            hs[m] = o.h();
            cs[m] = o.c();
            if (m == 0) {
                attention = o.attention();
            }
            hOff += hw;
            cOff += cw;
        }
        float[][] mixed = new float[n][vocab];
        double logK = Math.log(k);
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < vocab; v++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int m = 0; m < k; m++) {
                    max = Math.max(max, logProbs[m][i][v]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    mixed[i][v] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                double sum = 0;
                for (int m = 0; m < k; m++) {
                    sum += Math.exp(logProbs[m][i][v] - max);
                }
                mixed[i][v] = (float) (max + Math.log(sum) - logK);
            }
        }
        float[][] hOut = new float[n][];
        float[][] cOut = new float[n][];
        for (int i = 0; i < n; i++) {
            List<float[]> hi = new ArrayList<>(k);
            List<float[]> ci = new ArrayList<>(k);
            for (int m = 0; m < k; m++) {
                hi.add(hs[m][i]);
                ci.add(cs[m][i]);
            }
            hOut[i] = concat(hi);
            cOut[i] = concat(ci);
        }
        return new StepOutput(mixed, hOut, cOut, attention);
    }

    private Split splitOf(Encoded enc) {
        Split s = lastSplit;
        if (s != null && s.whole() == enc) {
            return s;
        }
        throw new IllegalStateException("EnsembleStepModel steps over the encoding it made last; it was given another one"
                + " (one search at a time per ensemble)");
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (StepModel m : members) {
            try {
                m.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static int[] widths(List<Encoded> parts, java.util.function.Function<SourceEncoding, float[]> f) {
        int[] w = new int[parts.size()];
        for (int m = 0; m < parts.size(); m++) {
            Encoded e = parts.get(m);
            w[m] = e.batchSize() == 0 ? 0 : f.apply(e.row(0)).length;
        }
        return w;
    }

    private static float[][] slice(float[][] rows, int from, int width) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.copyOfRange(rows[i], from, from + width);
        }
        return out;
    }

    private static float[][] concatRows(List<SourceEncoding> each, java.util.function.Function<SourceEncoding, float[][]> f) {
        int t = f.apply(each.get(0)).length;
        float[][] out = new float[t][];
        for (int i = 0; i < t; i++) {
            List<float[]> parts = new ArrayList<>(each.size());
            for (SourceEncoding s : each) {
                parts.add(f.apply(s)[i]);
            }
            out[i] = concat(parts);
        }
        return out;
    }

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
