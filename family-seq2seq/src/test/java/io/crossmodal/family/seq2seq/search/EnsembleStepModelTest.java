package io.crossmodal.family.seq2seq.search;

import static io.crossmodal.family.seq2seq.search.ToyStepModel.A;
import static io.crossmodal.family.seq2seq.search.ToyStepModel.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnsembleStepModelTest {

    /** A model that ignores its input and state and always gives {@code q}; its state is 3 wide, unlike the toy's. */
    private static final class Fixed implements StepModel {
        final double[] q;

        Fixed(double... q) {
            this.q = q;
        }

        @Override
        public Encoded encode(long[][] tokens) {
            List<SourceEncoding> rows = new java.util.ArrayList<>();
            for (long[] t : tokens) {
                rows.add(new SourceEncoding(new float[t.length][2], new float[t.length][2], new float[3], new float[3]));
            }
            return new Encoded(rows);
        }

        @Override
        public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
            float[][] lp = new float[sourceRow.length][q.length];
            for (int i = 0; i < sourceRow.length; i++) {
                if (h[i].length != 3 || c[i].length != 3) {
                    throw new IllegalStateException("got another member's state");
                }
                for (int v = 0; v < q.length; v++) {
                    lp[i][v] = (float) Math.log(q[v]);
                }
            }
            return new StepOutput(lp, h, c, null);
        }

        @Override
        public int vocabSize() {
            return q.length;
        }
    }

    /** Two copies of a model whose answers depend on its state: the same search results as one copy. */
    @Test
    void twoCopiesSearchLikeOne() {
        long[][] src = {{A}, {B}, {A, B}};
        List<List<Hypothesis>> one = new BeamSearch(3, 3, 8).search(new ToyStepModel(), src);
        List<List<Hypothesis>> two = new BeamSearch(3, 3, 8)
                .search(new EnsembleStepModel(List.of(new ToyStepModel(), new ToyStepModel())), src);
        assertEquals(one.size(), two.size());
        for (int i = 0; i < one.size(); i++) {
            assertEquals(one.get(i).size(), two.get(i).size());
            for (int j = 0; j < one.get(i).size(); j++) {
                assertArrayEquals(one.get(i).get(j).tokens(), two.get(i).get(j).tokens());
                assertEquals(one.get(i).get(j).logProb(), two.get(i).get(j).logProb(), 1e-5);
            }
        }
    }

    /** Each step's distribution is the mean of the members' probabilities, with each member's own state carried. */
    @Test
    void stepsMixTheMembersProbabilities() {
        double[] q = {0.01, 0.01, 0.28, 0.01, 0.19, 0.5};
        EnsembleStepModel ens = new EnsembleStepModel(List.of(new ToyStepModel(), new Fixed(q)));
        Encoded enc = ens.encode(new long[][] {{A}});
        SourceEncoding row = enc.row(0);
        assertEquals(ToyStepModel.MAX + 1 + 3, row.initH().length, "states side by side");
        StepOutput first = ens.step(enc, new int[] {0}, new long[] {SpecialTokens.BOS}, new float[][] {row.initH()},
                new float[][] {row.initC()});
        double[] toy = ToyStepModel.dist(0.0, 0.6, 0.4);
        assertMixture(toy, q, first.logProbs()[0]);
        // feed A: the toy member must see its own prefix state back, the fixed one its 3-wide state
        StepOutput second = ens.step(enc, new int[] {0}, new long[] {A}, first.h(), first.c());
        assertMixture(ToyStepModel.dist(0.4, 0.35, 0.25), q, second.logProbs()[0]);
    }

    @Test
    void membersMustShareTheOutputVocabulary() {
        assertThrows(IllegalArgumentException.class,
                () -> new EnsembleStepModel(List.of(new ToyStepModel(), new Fixed(0.5, 0.5, 0, 0, 0))));
        assertThrows(IllegalArgumentException.class, () -> new EnsembleStepModel(List.of()));
    }

    private static void assertMixture(double[] toyUnnormalised, double[] q, float[] mixed) {
        double z = java.util.Arrays.stream(toyUnnormalised).sum();
        for (int v = 0; v < q.length; v++) {
            double expected = Math.log(0.5 * toyUnnormalised[v] / z + 0.5 * q[v]);
            assertEquals(expected, mixed[v], 1e-5, "symbol " + v);
        }
    }
}
