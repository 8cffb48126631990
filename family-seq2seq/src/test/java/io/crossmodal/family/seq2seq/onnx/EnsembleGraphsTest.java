package io.crossmodal.family.seq2seq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.EnsembleStepModel;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.family.seq2seq.search.SpecialTokens;
import io.crossmodal.family.seq2seq.search.StepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The composed ensemble graph pair, run by ONNX Runtime, against {@link EnsembleStepModel} over the members' own graphs
 * (each of which {@link Seq2SeqGraphsTest} checks against the plain-Java reference): same encodings, same mixed
 * distributions and states at every step, same beam answers.
 */
class EnsembleGraphsTest {

    static final int VS = 11, VT = 13;

    /** Members of different sizes and attention kinds, so a wrong slice offset or width fails. */
    static List<Seq2SeqWeights> members() {
        return List.of(
                Seq2SeqWeights.random(VS, VT, 6, 5, 7, 42),
                Seq2SeqWeights.random(VS, VT, 4, 3, 9, 43).withLocation(new LocationAttention(1.1f, 0.6f)),
                Seq2SeqWeights.random(VS, VT, 5, 4, 6, 44));
    }

    static OrtSeq2Seq composed(List<Seq2SeqWeights> ws) {
        List<byte[]> enc = ws.stream().map(Seq2SeqGraphs::encoder).toList();
        List<byte[]> dec = ws.stream().map(Seq2SeqGraphs::decoderStep).toList();
        return OrtSeq2Seq.create(SessionFactory.cpu(), EnsembleGraphs.encoder(enc), EnsembleGraphs.decoderStep(dec));
    }

    static EnsembleStepModel separate(List<Seq2SeqWeights> ws) {
        List<StepModel> ms = new ArrayList<>();
        for (Seq2SeqWeights w : ws) {
            ms.add(OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w)));
        }
        return new EnsembleStepModel(ms);
    }

    @Test
    void theComposedGraphsComputeTheMembersMixtureStepByStep() {
        List<Seq2SeqWeights> ws = members();
        long[][] batch = Seq2SeqGraphsTest.randomBatch(new Random(5), VS, 4, 1, 7, 3);
        try (OrtSeq2Seq one = composed(ws); EnsembleStepModel ref = separate(ws)) {
            assertEquals(7 + 9 + 6, one.decoderHidden(), "h is the members' h side by side");
            assertEquals(2 * (5 + 3 + 4), one.memorySize());
            Encoded a = one.encode(batch);
            Encoded b = ref.encode(batch);
            double diff = 0;
            int n = batch.length;
            float[][] ha = new float[n][], ca = new float[n][], hb = new float[n][], cb = new float[n][];
            for (int i = 0; i < n; i++) {
                diff = Math.max(diff, maxDiff(a.row(i).memory(), b.row(i).memory()));
                diff = Math.max(diff, maxDiff(a.row(i).keys(), b.row(i).keys()));
                ha[i] = a.row(i).initH();
                ca[i] = a.row(i).initC();
                hb[i] = b.row(i).initH();
                cb[i] = b.row(i).initC();
            }
            diff = Math.max(diff, maxDiff(ha, hb));
            diff = Math.max(diff, maxDiff(ca, cb));
            assertTrue(diff < 1e-5, "encodings differ by " + diff);

            int[] rows = {0, 1, 2, 3, 2};
            long[] prev = {SpecialTokens.BOS, SpecialTokens.BOS, 5, 7, 9};
            float[][] h1 = {ha[0], ha[1], ha[2], ha[3], ha[2]};
            float[][] c1 = {ca[0], ca[1], ca[2], ca[3], ca[2]};
            for (int step = 0; step < 4; step++) {
                StepOutput x = one.step(a, rows, prev, h1, c1);
                StepOutput y = ref.step(b, rows, prev, h1, c1);
                double d = Math.max(maxDiff(x.logProbs(), y.logProbs()), Math.max(maxDiff(x.h(), y.h()), maxDiff(x.c(), y.c())));
                d = Math.max(d, maxDiff(x.attention(), y.attention()));
                assertTrue(d < 1e-5, "step " + step + " differs by " + d);
                for (float[] lp : x.logProbs()) {
                    double total = 0;
                    for (float v : lp) {
                        total += Math.exp(v);
                    }
                    assertEquals(1.0, total, 1e-5, "the mixture is a distribution");
                }
                h1 = x.h();
                c1 = x.c();
                prev = new long[] {4 + step, 6, 8, 10, 12 - step};
            }
        }
    }

    @Test
    void beamSearchOverTheComposedGraphsGivesTheEnsemblesAnswers() {
        List<Seq2SeqWeights> ws = members();
        long[][] batch = Seq2SeqGraphsTest.randomBatch(new Random(9), VS, 3, 6, 2, 5, 4, 1);
        try (OrtSeq2Seq one = composed(ws); EnsembleStepModel ref = separate(ws)) {
            List<List<Hypothesis>> got = new BeamSearch(4, 3, 10).search(one, batch);
            List<List<Hypothesis>> want = new BeamSearch(4, 3, 10).search(ref, batch);
            for (int i = 0; i < batch.length; i++) {
                assertEquals(want.get(i).size(), got.get(i).size());
                for (int j = 0; j < want.get(i).size(); j++) {
                    assertArrayEquals(want.get(i).get(j).tokens(), got.get(i).get(j).tokens(), "input " + i + " rank " + j);
                    assertEquals(want.get(i).get(j).logProb(), got.get(i).get(j).logProb(), 1e-4);
                }
            }
        }
    }

    @Test
    void oneMemberIsThatMemberItself() {
        Seq2SeqWeights w = members().get(1);
        long[][] batch = Seq2SeqGraphsTest.randomBatch(new Random(3), VS, 5, 2);
        try (OrtSeq2Seq one = composed(List.of(w));
             OrtSeq2Seq plain = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w))) {
            List<List<Hypothesis>> got = new BeamSearch(3, 2, 8).search(one, batch);
            List<List<Hypothesis>> want = new BeamSearch(3, 2, 8).search(plain, batch);
            for (int i = 0; i < batch.length; i++) {
                for (int j = 0; j < want.get(i).size(); j++) {
                    assertArrayEquals(want.get(i).get(j).tokens(), got.get(i).get(j).tokens());
                    assertEquals(want.get(i).get(j).logProb(), got.get(i).get(j).logProb(), 1e-5);
                }
            }
        }
    }

    @Test
    void membersOfAnotherVocabularyOrNotSeq2SeqGraphsAreRefused() {
        Seq2SeqWeights a = Seq2SeqWeights.random(VS, VT, 4, 3, 5, 1);
        Seq2SeqWeights b = Seq2SeqWeights.random(VS, VT + 1, 4, 3, 5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EnsembleGraphs.decoderStep(List.of(Seq2SeqGraphs.decoderStep(a), Seq2SeqGraphs.decoderStep(b))));
        assertTrue(e.getMessage().contains("output vocabularies"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> EnsembleGraphs.encoder(List.of(Seq2SeqGraphs.encoder(a), Seq2SeqGraphs.decoderStep(a))));
        assertTrue(e.getMessage().contains("not a seq2seq graph"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EnsembleGraphs.encoder(List.of(new byte[] {1, 2, 3})));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EnsembleGraphs.encoder(List.of()));
    }

    private static double maxDiff(float[][] x, float[][] y) {
        assertEquals(x.length, y.length);
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i].length, y[i].length);
            for (int j = 0; j < x[i].length; j++) {
                d = Math.max(d, Math.abs(x[i][j] - y[i][j]));
            }
        }
        return d;
    }
}
