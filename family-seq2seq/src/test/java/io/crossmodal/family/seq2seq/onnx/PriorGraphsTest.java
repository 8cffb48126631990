package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.SessionFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.search.StepOutput;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PriorGraphsTest {

    @Test
    void priorStepMatchesReference() {
        PriorWeights w = PriorWeights.random(12, 5, 9, 11);
        PriorReference ref = new PriorReference(w);
        Random rng = new Random(2);
        int n = 6;
        long[] prev = new long[n];
        float[][] h = new float[n][9];
        float[][] c = new float[n][9];
        for (int i = 0; i < n; i++) {
            prev[i] = rng.nextInt(12);
            for (int j = 0; j < 9; j++) {
                h[i][j] = rng.nextFloat() * 2 - 1;
                c[i][j] = rng.nextFloat() * 2 - 1;
            }
        }
        try (OrtPrior ort = OrtPrior.create(SessionFactory.cpu(), PriorGraphs.step(w))) {
            assertEquals(12, ort.vocabSize());
            assertEquals(9, ort.hiddenSize());
            double maxDiff = 0;
            for (int step = 0; step < 3; step++) {
                StepOutput a = ort.step(prev, h, c);
                StepOutput b = ref.step(prev, h, c);
                for (int i = 0; i < n; i++) {
                    float[] logits = ref.stepOne(prev[i], h[i], c[i])[0];
                    float[] lp = b.logProbs()[i];
                    // log_probs = logits - logsumexp, so differences of the two agree
                    maxDiff = Math.max(maxDiff, Math.abs((logits[0] - logits[1]) - (lp[0] - lp[1])));
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(b.logProbs()[i], a.logProbs()[i], 0));
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(b.h()[i], a.h()[i], 0));
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(b.c()[i], a.c()[i], 0));
                    prev[i] = rng.nextInt(12);
                }
                h = b.h();
                c = b.c();
            }
            assertTrue(maxDiff <= 1e-4, "prior max abs diff " + maxDiff);

            long[][] seqs = {{4, 5, 6}, {7}, {8, 9, 10, 11, 4}};
            double[] sa = ort.logProb(seqs);
            double[] sb = ref.logProb(seqs);
            for (int i = 0; i < seqs.length; i++) {
                assertEquals(sb[i], sa[i], 1e-4);
                assertTrue(sa[i] < 0);
            }
            // a single sequence scored alone equals the batched score
            assertArrayEquals(new double[] {sb[2]}, ref.logProb(new long[][] {seqs[2]}), 1e-9);
        }
    }
}
