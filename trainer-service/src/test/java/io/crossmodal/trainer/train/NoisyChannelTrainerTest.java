package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each term of the noisy-channel objective trains exactly its model: wake the channel (g2p),
 * sleep the posterior (p2g), prior the prior, supervised all three; a model no enabled term
 * trains stays bit-identical. A term dropped from the loss would fail these tests.
 */
class NoisyChannelTrainerTest {
    private static final int G = 10; // grapheme vocabulary: ids 4..9
    private static final int P = 12; // phoneme vocabulary: ids 4..11

    private Model g2p;
    private Model p2g;
    private Model prior;
    private Map<String, List<float[]>> initial;

    @BeforeEach
    void models() {
        Engine.getInstance().setRandomSeed(3);
        g2p = seq2seq("g2p", G, P);
        p2g = seq2seq("p2g", P, G);
        prior = Model.newInstance("prior");
        PriorBlock pb = new PriorBlock(G, 8, 16);
        prior.setBlock(pb);
        pb.initializeAll(prior.getNDManager());
        initial = snapshots();
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

    private Map<String, List<float[]>> snapshots() {
        Map<String, List<float[]>> out = new LinkedHashMap<>();
        out.put("g2p", ParamIO.snapshot(g2p.getBlock()));
        out.put("p2g", ParamIO.snapshot(p2g.getBlock()));
        out.put("prior", ParamIO.snapshot(prior.getBlock()));
        return out;
    }

    private void restore() {
        ParamIO.restore(g2p.getBlock(), initial.get("g2p"));
        ParamIO.restore(p2g.getBlock(), initial.get("p2g"));
        ParamIO.restore(prior.getBlock(), initial.get("prior"));
    }

    /** Largest absolute difference between two snapshots. */
    private static double maxDiff(List<float[]> a, List<float[]> b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                d = Math.max(d, Math.abs(a.get(i)[j] - b.get(i)[j]));
            }
        }
        return d;
    }

    private static boolean same(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Components whose parameters differ from the initial snapshot. */
    private Set<String> changed() {
        Set<String> out = new TreeSet<>();
        snapshots().forEach((c, v) -> {
            if (!same(initial.get(c), v)) {
                out.add(c);
            }
        });
        return out;
    }

    private static List<long[]> seqs(Random rnd, int n, int vocab) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] s = new long[2 + rnd.nextInt(4)];
            for (int j = 0; j < s.length; j++) {
                s[j] = 4 + rnd.nextInt(vocab - 4);
            }
            out.add(s);
        }
        return out;
    }

    private static NoisyChannelTrainer.Batch batch() {
        Random rnd = new Random(1);
        List<long[]> spell = seqs(rnd, 8, G);
        List<long[]> phon = seqs(rnd, 8, P);
        List<Example> paired = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            paired.add(new Example(spell.get(i), phon.get(i)));
        }
        return new NoisyChannelTrainer.Batch(paired, seqs(rnd, 8, G), seqs(rnd, 8, P), seqs(rnd, 8, G));
    }

    private static NoisyChannelTrainer.Settings settings(double sup, double pri, double wake, double sleep, boolean beam,
            boolean iw, boolean sleepFromPrior) {
        return new NoisyChannelTrainer.Settings(sup, pri, wake, sleep, 3, 1.0, beam, iw, sleepFromPrior, 8, 0.01f, 5f, 8, 7);
    }

    private NoisyChannelTrainer.StepResult step(NoisyChannelTrainer.Settings s) {
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, s)) {
            return t.step(batch());
        }
    }

    @Test
    void wakeUpdatesOnlyTheChannel() {
        NoisyChannelTrainer.StepResult r = step(settings(0, 0, 1, 0, false, false, false));
        assertEquals(Set.of("g2p"), changed());
        assertEquals(Set.of("g2p"), r.updated());
        assertTrue(r.losses().containsKey("wake") && r.losses().get("wake") > 0, r.losses().toString());
        assertTrue(r.wakePairs() > 0);
        assertEquals(r.wakePairs() + r.wakeDropped(), 8 * 3, "K = 3 samples for each of 8 phoneme strings");
    }

    @Test
    void wakeWithBeamAndImportanceWeightsUpdatesOnlyTheChannel() {
        step(settings(0, 0, 1, 0, true, true, false));
        assertEquals(Set.of("g2p"), changed());
    }

    @Test
    void sleepUpdatesOnlyThePosterior() {
        NoisyChannelTrainer.StepResult r = step(settings(0, 0, 0, 1, false, false, false));
        assertEquals(Set.of("p2g"), changed());
        assertTrue(r.losses().get("sleep") > 0);
        assertEquals(8, r.sleepPairs() + r.sleepDropped());
    }

    @Test
    void sleepFromThePriorUpdatesOnlyThePosterior() {
        NoisyChannelTrainer.StepResult r = step(settings(0, 0, 0, 1, false, false, true));
        assertEquals(Set.of("p2g"), changed(), "the prior is sampled, not trained");
        assertTrue(r.sleepPairs() > 0);
    }

    @Test
    void priorTermUpdatesOnlyThePrior() {
        NoisyChannelTrainer.StepResult r = step(settings(0, 1, 0, 0, false, false, false));
        assertEquals(Set.of("prior"), changed());
        assertTrue(r.losses().get("prior") > 0);
    }

    @Test
    void supervisedUpdatesAllThree() {
        NoisyChannelTrainer.StepResult r = step(settings(1, 0, 0, 0, false, false, false));
        assertEquals(Set.of("g2p", "p2g", "prior"), changed());
        double sum = r.losses().get("supervised.g2p") + r.losses().get("supervised.p2g") + r.losses().get("supervised.prior");
        assertEquals(sum, r.losses().get("supervised"), 1e-4);
    }

    /** Every combination of the unsupervised terms: exactly the union of their models changes. */
    @Test
    void aZeroWeightLeavesItsModelUntouched() {
        String[] models = {"prior", "g2p", "p2g"}; // prior, wake, sleep
        for (int mask = 0; mask < 8; mask++) {
            if (mask == 0) {
                continue;
            }
            restore();
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < 3; i++) {
                if ((mask & (1 << i)) != 0) {
                    expected.add(models[i]);
                }
            }
            step(settings(0, mask & 1, (mask >> 1) & 1, (mask >> 2) & 1, false, false, false));
            assertEquals(expected, changed(), "mask " + mask);
        }
    }

    /**
     * On top of the supervised term, adding a term changes its model's update and no other: no
     * term is silently ignored. Two trained states are compared with a tolerance (CPU kernels may
     * round differently from run to run); a term's effect is an Adam step of about the learning
     * rate (0.01) on the coordinates whose update it changes.
     */
    @Test
    void everyTermContributesToItsModelsUpdate() {
        step(settings(1, 0, 0, 0, false, false, false));
        Map<String, List<float[]>> supOnly = snapshots();
        String[][] cases = {{"wake", "g2p"}, {"sleep", "p2g"}, {"prior", "prior"}};
        for (String[] c : cases) {
            restore();
            String term = c[0];
            NoisyChannelTrainer.Settings s = switch (term) {
                case "wake" -> settings(1, 0, 1, 0, false, false, false);
                case "sleep" -> settings(1, 0, 0, 1, false, false, false);
                default -> settings(1, 1, 0, 0, false, false, false);
            };
            step(s);
            Map<String, List<float[]>> now = snapshots();
            String target = c[1];
            double d = maxDiff(supOnly.get(target), now.get(target));
            assertTrue(d > 1e-3, term + " must change the " + target + " update (max diff " + d + ")");
            for (String other : List.of("g2p", "p2g", "prior")) {
                if (!other.equals(target)) {
                    double o = maxDiff(supOnly.get(other), now.get(other));
                    assertTrue(o < 1e-5, term + " must not touch " + other + " (max diff " + o + ")");
                }
            }
        }
        // importance weighting changes the wake update (same samples, other weights)
        restore();
        step(settings(0, 0, 1, 0, false, false, false));
        List<float[]> uniform = ParamIO.snapshot(g2p.getBlock());
        restore();
        step(settings(0, 0, 1, 0, false, true, false));
        double d = maxDiff(uniform, ParamIO.snapshot(g2p.getBlock()));
        assertTrue(d > 1e-3, "importance weights are used (max diff " + d + ")");
    }

    @Test
    void weightedLossIsTheWeightedNllPerToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray nll = m.create(new float[] {3f, 8f});
            float v = NoisyChannelTrainer.weighted(m, nll, new double[] {0.5, 0.5}, new int[] {3, 4}).getFloat();
            assertEquals((0.5 * 3 + 0.5 * 8) / (0.5 * 3 + 0.5 * 4), v, 1e-6);
            float unit = NoisyChannelTrainer.weighted(m, nll, new double[] {1, 1}, new int[] {3, 4}).getFloat();
            assertEquals(11.0 / 7.0, unit, 1e-6, "unit weights: the supervised trainer's NLL per token");
        }
    }

    @Test
    void elboIsReproducibleAndTheIwBoundIsAtLeastTheElbo() {
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, settings(1, 1, 1, 1, false, false, false))) {
            List<long[]> xs = seqs(new Random(5), 10, P);
            Elbo.Estimate a = t.elbo(xs, 4, 99);
            Elbo.Estimate b = t.elbo(xs, 4, 99);
            assertEquals(a, b);
            assertTrue(a.items() > 0 && Double.isFinite(a.elbo()));
            assertTrue(a.iwBound() >= a.elbo(), a.toString());
        }
        assertEquals(Set.of(), changed(), "estimating the ELBO trains nothing");
    }

    /**
     * A non-finite gradient skips that component's update; the next, finite step must train it
     * (before the fix the NaN stayed in the gradient buffers and froze the component for good).
     */
    @Test
    void aSkippedNonFiniteUpdateDoesNotFreezeTheChannel() {
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, settings(0, 0, 1, 0, false, false, false))) {
            int[] calls = {0};
            var params = g2p.getBlock().getParameters();
            String name = params.get(params.size() - 1).getKey();
            t.afterBackward = c -> {
                if (c.equals("g2p") && calls[0]++ == 0) {
                    params.get(params.size() - 1).getValue().getArray().getGradient()
                            .set(new ai.djl.ndarray.index.NDIndex("0"), Float.NaN);
                }
            };
            t.step(batch());
            assertEquals(Set.of(), changed(), "the non-finite update is skipped");
            assertEquals(1, t.nonFiniteSkips());
            assertEquals(Map.of("g2p/" + name, 1L), t.nonFiniteParameters());
            assertTrue(t.firstNonFinite().contains("g2p: " + name), t.firstNonFinite());
            t.step(batch());
            assertEquals(Set.of("g2p"), changed(), "the next finite step trains the channel");
            assertEquals(1, t.nonFiniteSkips(), "and is not skipped");
        }
    }

    /**
     * Over a fixed beam n-best list the wake weights are the posterior p(y) p(x|y) renormalised over
     * the list, with no division by q (which would penalise the hypotheses q is most sure of).
     */
    @Test
    void beamWakeWeightsAreThePosteriorOverTheList() {
        NoisyChannelTrainer.Batch b = batch();
        List<List<io.crossmodal.trainer.model.SequenceSampler.Sample>> lists;
        double[] expected;
        try (NDManager m = NDManager.newBaseManager()) {
            lists = io.crossmodal.trainer.model.SequenceSampler.beam((Seq2SeqBlock) p2g.getBlock(), m, b.wakePhonemes(), 3, 3, 8);
            List<long[]> ys = new ArrayList<>();
            List<long[]> xs = new ArrayList<>();
            List<Integer> item = new ArrayList<>();
            for (int i = 0; i < lists.size(); i++) {
                for (var smp : lists.get(i)) {
                    if (smp.tokens().length > 0) {
                        ys.add(smp.tokens());
                        xs.add(b.wakePhonemes().get(i));
                        item.add(i);
                    }
                }
            }
            double[] px = io.crossmodal.trainer.model.Scorer.conditional((Seq2SeqBlock) g2p.getBlock(), m, ys, xs);
            double[] py = io.crossmodal.trainer.model.Scorer.prior((PriorBlock) prior.getBlock(), m, ys);
            // per item: softmax over the list of log p(x|y) + log p(y), by hand
            expected = new double[ys.size()];
            Map<Integer, Double> total = new LinkedHashMap<>();
            for (int r = 0; r < ys.size(); r++) {
                expected[r] = Math.exp(px[r] + py[r]);
                total.merge(item.get(r), expected[r], Double::sum);
            }
            for (int r = 0; r < ys.size(); r++) {
                expected[r] /= total.get(item.get(r));
            }
        }
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, settings(0, 0, 1, 0, true, true, false))) {
            t.step(b);
            assertEquals(expected.length, t.lastWakeWeights.length);
            for (int r = 0; r < expected.length; r++) {
                assertEquals(expected[r], t.lastWakeWeights[r], 2e-4, "row " + r);
            }
        }
    }

    /** The reweighted wake-sleep update of q trains only the posterior, and reports its loss. */
    @Test
    void wakePosteriorUpdateTrainsOnlyThePosterior() {
        NoisyChannelTrainer.Settings s = new NoisyChannelTrainer.Settings(0, 0, 0, 0, 3, 1.0, false, false, false, 8, 0.01f,
                5f, 8, 7, 1.0);
        try (NoisyChannelTrainer t = new NoisyChannelTrainer(g2p, p2g, prior, s)) {
            NoisyChannelTrainer.StepResult r = t.step(batch());
            assertEquals(Set.of("p2g"), r.updated());
            assertTrue(r.losses().get(NoisyChannelTrainer.WAKE_POSTERIOR) > 0, r.losses().toString());
        }
        assertEquals(Set.of("p2g"), changed());
    }
}
