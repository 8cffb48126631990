package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.SessionFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The location-aware (monotonic-favouring) attention variant: ONNX graphs against the plain-Java
 * reference over several steps (the focus travels in the cell state), and its effect on attention.
 */
class LocationAttentionGraphsTest {

    static final int VS = 11, VT = 13, E = 6, HE = 5, HD = 7;
    static final LocationAttention LOC = new LocationAttention(1.3f, 0.8f);

    @Test
    void ortMatchesReferenceOverSeveralSteps() {
        Seq2SeqWeights w = Seq2SeqWeights.random(VS, VT, E, HE, HD, 17).withLocation(LOC);
        assertEquals(HD + 1, w.stateC());
        Seq2SeqReference ref = new Seq2SeqReference(w);
        long[][] batch = Seq2SeqGraphsTest.randomBatch(new Random(8), VS, 6, 2, 9);
        try (OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w))) {
            Encoded a = ort.encode(batch);
            Encoded b = ref.encode(batch);
            double maxDiff = 0;
            for (int i = 0; i < batch.length; i++) {
                assertEquals(HD + 1, a.row(i).initC().length);
                assertEquals(LocationAttention.INITIAL_FOCUS, a.row(i).initC()[HD], 0f);
                maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(b.row(i).initC(), a.row(i).initC(), 0));
            }
            int[] rows = {0, 1, 2, 2};
            long[] prev = {1, 1, 1, 1};
            float[][] h = new float[rows.length][];
            float[][] c = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                h[i] = b.row(rows[i]).initH();
                c[i] = b.row(rows[i]).initC();
            }
            float[][] hr = h, cr = c;
            for (int step = 0; step < 6; step++) {
                StepOutput so = ort.step(b, rows, prev, h, c);
                StepOutput sr = ref.step(b, rows, prev, hr, cr);
                for (int i = 0; i < rows.length; i++) {
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(sr.logProbs()[i], so.logProbs()[i], 0));
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(sr.c()[i], so.c()[i], 0));
                    maxDiff = Math.max(maxDiff, Seq2SeqGraphsTest.maxAbs(sr.attention()[i], so.attention()[i], 0));
                    prev[i] = 4 + (step * 3 + i) % (VT - 4);
                }
                h = so.h();
                c = so.c();
                hr = sr.h();
                cr = sr.c();
            }
            assertTrue(maxDiff <= 1e-4, "location-aware ORT vs reference max abs diff " + maxDiff);

            List<List<Hypothesis>> viaOrt = new BeamSearch(3, 1, 12).search(ort, batch);
            List<List<Hypothesis>> viaRef = new BeamSearch(3, 1, 12).search(ref, batch);
            for (int i = 0; i < batch.length; i++) {
                assertArrayEquals(viaRef.get(i).get(0).tokens(), viaOrt.get(i).get(0).tokens());
            }
        }
    }

    @Test
    void sharpLocationTermMakesAttentionWalkForward() {
        // with a dominant location term the focus moves by about `shift` positions per step,
        // whatever the content scores say
        Seq2SeqWeights w = Seq2SeqWeights.random(VS, VT, E, HE, HD, 23).withLocation(new LocationAttention(1f, 50f));
        Seq2SeqReference ref = new Seq2SeqReference(w);
        long[][] batch = Seq2SeqGraphsTest.randomBatch(new Random(2), VS, 8);
        Encoded enc = ref.encode(batch);
        float[] h = enc.row(0).initH();
        float[] c = enc.row(0).initC();
        for (int step = 0; step < 8; step++) {
            Seq2SeqReference.DecoderStep d = ref.decodeStep(enc.row(0), 5, h, c);
            int argmax = 0;
            for (int s = 1; s < d.attention().length; s++) {
                argmax = d.attention()[s] > d.attention()[argmax] ? s : argmax;
            }
            assertEquals(step, argmax, "focus at step " + step);
            assertEquals(step, d.c()[HD], 0.05, "carried focus at step " + step);
            h = d.h();
            c = d.c();
        }
        Seq2SeqWeights plain = Seq2SeqWeights.random(VS, VT, E, HE, HD, 23);
        assertNotEquals(plain.locationAware(), w.locationAware());
        assertEquals(0, plain.sizes().get("location_attention"));
        assertEquals(1, w.sizes().get("location_attention"));
    }

    @Test
    void rejectsInvalidParameters() {
        assertThrows(IllegalArgumentException.class, () -> new LocationAttention(-1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new LocationAttention(1f, Float.NaN));
    }
}
