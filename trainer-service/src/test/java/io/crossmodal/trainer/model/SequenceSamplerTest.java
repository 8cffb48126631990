package io.crossmodal.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.Example;
import io.crossmodal.trainer.train.Scalars;
import io.crossmodal.trainer.train.ToyData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batched sampling: reproducible, greedy in the zero-temperature limit, well-formed, scored like the model. */
class SequenceSamplerTest {
    private static final int MAX_LEN = 10;
    private static Model trained;
    private static Model untrained;
    private static Model prior;
    private static List<long[]> sources;

    /** A reversal model trained for a few seconds, so its greedy outputs are real sequences. */
    @BeforeAll
    static void models() {
        Engine.getInstance().setRandomSeed(11);
        List<Example> data = ToyData.reversal(64, 7);
        List<long[]> src = data.stream().map(Example::src).toList();
        List<long[]> tgt = data.stream().map(Example::tgt).toList();
        sources = src.subList(0, 24);
        trained = seq2seq("trained");
        try (Trainer trainer = trained.newTrainer(ComponentTrainer.adam(new float[] {0.01f}))) {
            trainer.initialize(new Shape(1, 1));
            for (int step = 0; step < 80; step++) {
                try (NDManager m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
                    NDList out = trainer.forward(Seq2SeqBatch.pairs(m, src, tgt));
                    gc.backward(Scalars.div(out.get(0), out.get(2).getFloat()));
                }
                trainer.step();
            }
        }
        untrained = seq2seq("untrained");
        prior = Model.newInstance("prior");
        PriorBlock p = new PriorBlock(10, 8, 16);
        prior.setBlock(p);
        p.initializeAll(prior.getNDManager());
    }

    private static Model seq2seq(String name) {
        Model m = Model.newInstance(name);
        Seq2SeqBlock b = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 16, 32, 32));
        m.setBlock(b);
        b.initializeAll(m.getNDManager());
        return m;
    }

    @AfterAll
    static void close() {
        trained.close();
        untrained.close();
        prior.close();
    }

    private static Seq2SeqBlock block(Model m) {
        return (Seq2SeqBlock) m.getBlock();
    }

    private static List<SequenceSampler.Sample> sample(Model m, int k, double t, long seed) {
        return SequenceSampler.sample(block(m), m.getNDManager(), sources, k, t, MAX_LEN, new Random(seed));
    }

    @Test
    void sameSeedSameSamplesOtherSeedOtherSamples() {
        List<SequenceSampler.Sample> a = sample(untrained, 3, 1.0, 42);
        List<SequenceSampler.Sample> b = sample(untrained, 3, 1.0, 42);
        List<SequenceSampler.Sample> c = sample(untrained, 3, 1.0, 43);
        assertEquals(sources.size() * 3, a.size());
        boolean differs = false;
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
            assertEquals(a.get(i).logProb(), b.get(i).logProb());
            differs |= !Arrays.equals(a.get(i).tokens(), c.get(i).tokens());
        }
        assertTrue(differs, "another seed draws other samples");
    }

    @Test
    void lowTemperatureIsGreedy() {
        List<long[]> greedy = GreedyDecoder.decode(block(trained), trained.getNDManager(), sources, MAX_LEN);
        for (long[] g : greedy) {
            assertTrue(g.length > 0 && Arrays.stream(g).allMatch(id -> id >= 4), "greedy output uses data ids only");
        }
        for (double t : new double[] {1e-5, 0.0}) {
            List<SequenceSampler.Sample> s = sample(trained, 2, t, 5);
            for (int i = 0; i < sources.size(); i++) {
                for (int k = 0; k < 2; k++) {
                    assertArrayEquals(greedy.get(i), s.get(i * 2 + k).tokens(), "T=" + t + " row " + i);
                }
            }
        }
        // the trained model actually reverses: greedy is a meaningful reference
        long correct = 0;
        for (int i = 0; i < sources.size(); i++) {
            long[] src = sources.get(i);
            long[] rev = new long[src.length];
            for (int j = 0; j < src.length; j++) {
                rev[j] = src[src.length - 1 - j];
            }
            correct += Arrays.equals(rev, greedy.get(i)) ? 1 : 0;
        }
        assertTrue(correct >= sources.size() / 2, correct + " of " + sources.size() + " reversed");
    }

    /** Samples stop at </s> (their score includes the </s> step) or at maxLen, and never hold reserved ids. */
    @Test
    void samplesAreWellFormedAndScoredLikeTheModel() {
        for (Model m : List.of(untrained, trained)) {
            List<SequenceSampler.Sample> s = sample(m, 4, 1.0, 9);
            List<long[]> src = new ArrayList<>();
            List<long[]> tgt = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                long[] y = s.get(i).tokens();
                assertTrue(y.length <= MAX_LEN);
                for (long id : y) {
                    assertTrue(id >= 4 && id < 10, "reserved or out-of-vocabulary id " + id);
                }
                src.add(sources.get(i / 4));
                tgt.add(y);
            }
            double[] scored = Scorer.conditional(block(m), m.getNDManager(), src, tgt);
            for (int i = 0; i < s.size(); i++) {
                assertEquals(scored[i], s.get(i).logProb(), 1e-3, "row " + i);
                assertTrue(s.get(i).logProb() < 0);
            }
        }
        // the untrained model rarely picks </s>: some rows run into maxLen and are closed there
        assertTrue(sample(untrained, 4, 1.0, 9).stream().anyMatch(x -> x.tokens().length == MAX_LEN));
    }

    @Test
    void priorSamplesAreReproducibleWellFormedAndScored() {
        PriorBlock p = (PriorBlock) prior.getBlock();
        List<SequenceSampler.Sample> a = SequenceSampler.samplePrior(p, prior.getNDManager(), 30, 1.0, MAX_LEN, new Random(3));
        List<SequenceSampler.Sample> b = SequenceSampler.samplePrior(p, prior.getNDManager(), 30, 1.0, MAX_LEN, new Random(3));
        List<long[]> nonEmpty = new ArrayList<>();
        List<Double> lp = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
            assertTrue(Arrays.stream(a.get(i).tokens()).allMatch(id -> id >= 4 && id < 10));
            nonEmpty.add(a.get(i).tokens());
            lp.add(a.get(i).logProb());
        }
        double[] scored = Scorer.prior(p, prior.getNDManager(), nonEmpty);
        for (int i = 0; i < scored.length; i++) {
            assertEquals(scored[i], lp.get(i), 1e-3);
        }
    }

    @Test
    void beamNBestIsSortedAndScored() {
        List<List<SequenceSampler.Sample>> nbest = SequenceSampler.beam(block(trained), trained.getNDManager(), sources, 3, 3, MAX_LEN);
        assertEquals(sources.size(), nbest.size());
        for (int i = 0; i < sources.size(); i++) {
            List<SequenceSampler.Sample> hs = nbest.get(i);
            assertFalse(hs.isEmpty());
            assertTrue(hs.size() <= 3);
            for (int k = 1; k < hs.size(); k++) {
                assertTrue(hs.get(k - 1).logProb() >= hs.get(k).logProb());
            }
            double[] scored = Scorer.conditional(block(trained), trained.getNDManager(),
                    java.util.Collections.nCopies(hs.size(), sources.get(i)),
                    hs.stream().map(SequenceSampler.Sample::tokens).toList());
            for (int k = 0; k < hs.size(); k++) {
                assertEquals(scored[k], hs.get(k).logProb(), 1e-3);
            }
        }
    }

    /** The host-side draw: never a reserved id, arg max at T=0, the softmax frequencies at T=1. */
    @Test
    void drawFollowsTheTemperedSoftmaxOverGeneratableIds() {
        float[] logits = {9f, 9f, -1f, 9f, (float) Math.log(1), (float) Math.log(3)}; // ids 0,1,3 reserved
        assertEquals(5, SequenceSampler.draw(logits, 0, 6, 0.0, new Random(1)));
        Random rnd = new Random(1);
        int[] count = new int[6];
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            count[SequenceSampler.draw(logits, 0, 6, 1.0, rnd)]++;
        }
        assertEquals(0, count[0] + count[1] + count[3]);
        double z = Math.exp(-1) + 1 + 3;
        assertEquals(Math.exp(-1) / z, count[2] / (double) n, 0.01, "</s> is drawable");
        assertEquals(1 / z, count[4] / (double) n, 0.01);
        assertEquals(3 / z, count[5] / (double) n, 0.01);
        // T = 2 flattens: p ~ exp(l / 2)
        count = new int[6];
        for (int i = 0; i < n; i++) {
            count[SequenceSampler.draw(logits, 0, 6, 2.0, rnd)]++;
        }
        double z2 = Math.exp(-0.5) + 1 + Math.sqrt(3);
        assertEquals(Math.sqrt(3) / z2, count[5] / (double) n, 0.01);
        // an offset row is read in place
        float[] two = {0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 7};
        assertEquals(5, SequenceSampler.draw(two, 6, 6, 0.0, rnd));
    }

    /**
     * The proposal log-probability is the tempered softmax over generatable ids, by hand: ids 0, 1, 3
     * are reserved (never drawn, whatever their logits); at T = 2 the ids 2, 4, 5 with logits
     * 0, 1, 2 have tempered logits 0, 0.5, 1, so id 4 has log(e^0.5 / (1 + e^0.5 + e)).
     */
    @Test
    void proposalIsTheTemperedSoftmaxOverGeneratableIds() {
        float[] row = {9f, 9f, 0f, 9f, 1f, 2f};
        double expected = 0.5 - Math.log(1 + Math.exp(0.5) + Math.E);
        assertEquals(expected, SequenceSampler.logProposal(row, 0, 6, 4, 2.0), 1e-9);
    }

    /** At T != 1 the proposal differs from the model's log q; at T = 1 it is renormalised over fewer ids (and a row closed at maxLen gets its </s> for free), so never lower. */
    @Test
    void samplesCarryTheirProposalLogProbability() {
        List<SequenceSampler.Sample> hot = sample(trained, 4, 2.0, 9);
        assertTrue(hot.stream().anyMatch(x -> Math.abs(x.logProposal() - x.logProb()) > 0.1),
                "at T = 2 the proposal is not q");
        for (SequenceSampler.Sample x : sample(trained, 4, 1.0, 9)) {
            assertTrue(x.logProposal() >= x.logProb() - 1e-6, "renormalised over fewer ids: never less likely");
        }
    }
}
