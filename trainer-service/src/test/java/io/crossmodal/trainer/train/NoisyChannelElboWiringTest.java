package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The noisy-channel bound and the wake term's gradient through the trainer's own code path
 * ({@link NoisyChannelTrainer#elbo}, {@link NoisyChannelTrainer#step}), on a fixed tiny model whose every parameter
 * is zero: every LSTM state is then 0 and every softmax uniform, so the numbers can be worked out by hand.
 * <ul>
 *   <li>log p(y) and log q(y|x) are both -(|y|+1) ln G for a sampled y and cancel; log p(x|y) = -(|x|+1) ln P: the
 *       ELBO and the IW bound are the mean of -(|x|+1) ln P, whatever was sampled.</li>
 *   <li>In one wake step only the channel's output bias gets a gradient (everything else is multiplied by a zero
 *       state or weight): d(NLL)/db_v is proportional to N/P - c_v (c_v: how often v is a target, </s> included;
 *       N: all targets), so Adam's first step sets b_v = -lr sign(N/P - c_v). The bound after the step follows
 *       from these biases; it must rise (the step goes up the bound, not merely somewhere).</li>
 * </ul>
 * A wake term wired to the wrong model, the wrong sign, the wrong target or the prior / posterior scores mixed up
 * fails one of these equalities.
 */
class NoisyChannelElboWiringTest {
    private static final int G = 10; // grapheme vocabulary: ids 4..9
    private static final int P = 12; // phoneme vocabulary: ids 4..11
    private static final float LR = 0.01f;
    /** Phoneme strings: 22 targets with </s>, so no count equals N / P = 22 / 12 and every sign is defined. */
    private static final List<long[]> XS = List.of(new long[] {4, 5, 6}, new long[] {7, 8}, new long[] {9, 10, 11, 4},
            new long[] {5}, new long[] {6, 7, 8, 4, 4}, new long[] {9});

    private Model g2p;
    private Model p2g;
    private Model prior;

    @BeforeEach
    void zeroModels() {
        Engine.getInstance().setRandomSeed(3);
        g2p = seq2seq("g2p", G, P);
        p2g = seq2seq("p2g", P, G);
        prior = Model.newInstance("prior");
        PriorBlock pb = new PriorBlock(G, 8, 16);
        prior.setBlock(pb);
        pb.initializeAll(prior.getNDManager());
        for (Model m : List.of(g2p, p2g, prior)) {
            List<float[]> zeros = new ArrayList<>();
            ParamIO.snapshot(m.getBlock()).forEach(v -> zeros.add(new float[v.length]));
            ParamIO.restore(m.getBlock(), zeros);
        }
    }

    @AfterEach
    void close() {
        g2p.close();
        p2g.close();
        prior.close();
    }

    private static Model seq2seq(String name, int src, int tgt) {
        Model m = Model.newInstance(name);
        Seq2SeqBlock b = new Seq2SeqBlock(new Seq2SeqSpec(src, tgt, 8, 12, 16));
        m.setBlock(b);
        b.initializeAll(m.getNDManager());
        return m;
    }

    private static NoisyChannelTrainer.Settings wakeOnly() {
        return new NoisyChannelTrainer.Settings(0, 0, 1, 0, 3, 1.0, false, false, false, 8, LR, 5f, 8, 7);
    }

    /** The mean over XS of log p(x) under a channel whose output logits are {@code bias} at every step. */
    private static double meanLogPx(double[] bias) {
        double max = Double.NEGATIVE_INFINITY;
        for (double b : bias) {
            max = Math.max(max, b);
        }
        double s = 0;
        for (double b : bias) {
            s += Math.exp(b - max);
        }
        double lse = max + Math.log(s);
        double sum = 0;
        for (long[] x : XS) {
            for (long v : x) {
                sum += bias[(int) v] - lse;
            }
            sum += bias[Vocabulary.EOS] - lse;
        }
        return sum / XS.size();
    }

    @Test
    void theBoundsOfTheUniformModelAreMinusLengthTimesLogP() {
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, wakeOnly())) {
            Elbo.Estimate e = t.elbo(XS, 4, 99);
            assertEquals(XS.size(), e.items(), "every item kept a non-empty sample: " + e);
            double expected = meanLogPx(new double[P]);
            assertEquals(-22 / 6.0 * Math.log(P), expected, 1e-12);
            assertEquals(expected, e.elbo(), 1e-4, e.toString());
            assertEquals(expected, e.iwBound(), 1e-4, "all weights equal: the IW bound is the ELBO");
        }
    }

    @Test
    void oneWakeStepMovesTheChannelUpTheBoundByTheHandComputedAmount() {
        List<float[]> p2gBefore = ParamIO.snapshot(p2g.getBlock());
        List<float[]> priorBefore = ParamIO.snapshot(prior.getBlock());
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, wakeOnly())) {
            double before = t.elbo(XS, 4, 99).elbo();
            NoisyChannelTrainer.StepResult r = t.step(new NoisyChannelTrainer.Batch(List.of(), List.of(), XS, List.of()));
            // rows whose pseudo-spelling came out empty are dropped, but each item's weights sum to 1 over the rows it
            // keeps, so the gradient is that of the summed NLL of XS either way
            assertTrue(r.wakePairs() >= XS.size(), r.toString());
            double after = t.elbo(XS, 4, 99).elbo();

            int[] count = new int[P];
            int n = 0;
            for (long[] x : XS) {
                for (long v : x) {
                    count[(int) v]++;
                }
                count[Vocabulary.EOS]++;
                n += x.length + 1;
            }
            double[] bias = new double[P];
            for (int v = 0; v < P; v++) {
                bias[v] = -LR * Math.signum((double) n / P - count[v]);
            }
            double expected = meanLogPx(bias);
            assertTrue(after > before, "the wake step goes up the bound: " + before + " -> " + after);
            assertEquals(expected, after, 1e-4, "bound after one Adam step on the output bias, by hand");
        }
        assertEquals(0, maxDiff(p2gBefore, ParamIO.snapshot(p2g.getBlock())), "the wake term leaves q alone");
        assertEquals(0, maxDiff(priorBefore, ParamIO.snapshot(prior.getBlock())), "the wake term leaves the prior alone");
    }

    private static double maxDiff(List<float[]> a, List<float[]> b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                d = Math.max(d, Math.abs(a.get(i)[j] - b.get(i)[j]));
            }
        }
        return d;
    }
}
