package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.runtime.onnx.OrtTensors;
import io.crossmodal.runtime.onnx.SessionFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.SourceEncoding;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Runs the ONNX graphs in ONNX Runtime on random weights and random padded batches and compares
 * them with the plain-Java reference. These are the guard against the gate-order and padding bugs.
 */
class Seq2SeqGraphsTest {

    static final double TOL = 1e-4;
    // deliberately distinct sizes so any transposed/mis-sized tensor fails loudly
    static final int VS = 11, VT = 13, E = 6, HE = 5, HD = 7;

    static long[][] randomBatch(Random rng, int vocab, int... lengths) {
        long[][] out = new long[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = new long[lengths[i]];
            for (int j = 0; j < lengths[i]; j++) {
                out[i][j] = 4 + rng.nextInt(vocab - 4);
            }
        }
        return out;
    }

    @Test
    void encoderMatchesReferenceOnPaddedBatch() throws Exception {
        Seq2SeqWeights w = Seq2SeqWeights.random(VS, VT, E, HE, HD, 42);
        Seq2SeqReference ref = new Seq2SeqReference(w);
        long[][] batch = randomBatch(new Random(1), VS, 5, 1, 8, 3);
        int b = batch.length;
        int t = 8;
        long[] padded = new long[b * t];
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            System.arraycopy(batch[i], 0, padded, i * t, batch[i].length);
            lengths[i] = batch[i].length;
        }
        var env = OrtRuntime.environment();
        try (OrtSession s = SessionFactory.cpu().create(Seq2SeqGraphs.encoder(w));
             OnnxTensor tok = OnnxTensor.createTensor(env, LongBuffer.wrap(padded), new long[] {b, t});
             OnnxTensor len = OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {b});
             OrtSession.Result r = s.run(Map.of(TensorNames.TOKENS, tok, TensorNames.LENGTHS, len))) {
            float[] memory = OrtTensors.flat(r, TensorNames.MEMORY);
            float[] keys = OrtTensors.flat(r, TensorNames.KEYS);
            float[] initH = OrtTensors.flat(r, TensorNames.INIT_H);
            float[] initC = OrtTensors.flat(r, TensorNames.INIT_C);
            assertEquals(b * t * 2 * HE, memory.length);
            assertEquals(b * t * HD, keys.length);
            double maxDiff = 0;
            for (int i = 0; i < b; i++) {
                SourceEncoding e = ref.encodeOne(batch[i]);
                for (int s2 = 0; s2 < t; s2++) {
                    for (int j = 0; j < 2 * HE; j++) {
                        float got = memory[(i * t + s2) * 2 * HE + j];
                        float want = s2 < lengths[i] ? e.memory()[s2][j] : 0f;
                        maxDiff = Math.max(maxDiff, Math.abs(got - want));
                    }
                    for (int j = 0; j < HD; j++) {
                        float got = keys[(i * t + s2) * HD + j];
                        float want = s2 < lengths[i] ? e.keys()[s2][j] : 0f;
                        maxDiff = Math.max(maxDiff, Math.abs(got - want));
                    }
                }
                for (int j = 0; j < HD; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(initH[i * HD + j] - e.initH()[j]));
                    maxDiff = Math.max(maxDiff, Math.abs(initC[i * HD + j] - e.initC()[j]));
                }
            }
            assertTrue(maxDiff <= TOL, "encoder max abs diff " + maxDiff);
        }
    }

    @Test
    void decoderStepMatchesReferenceWithPaddingAndMask() throws Exception {
        Seq2SeqWeights w = Seq2SeqWeights.random(VS, VT, E, HE, HD, 7);
        Seq2SeqReference ref = new Seq2SeqReference(w);
        Random rng = new Random(3);
        long[][] batch = randomBatch(rng, VS, 4, 9, 1);
        Encoded enc = ref.encode(batch);
        // three hypotheses on row 1, one each on rows 0 and 2, random states and previous tokens
        int[] rows = {1, 0, 1, 2, 1};
        int n = rows.length;
        int t = 9;
        long[] prev = new long[n];
        float[][] h = new float[n][HD];
        float[][] c = new float[n][HD];
        float[] memory = new float[n * t * 2 * HE];
        float[] keys = new float[n * t * HD];
        float[] mask = new float[n * t];
        for (int i = 0; i < n; i++) {
            prev[i] = rng.nextInt(VT);
            for (int j = 0; j < HD; j++) {
                h[i][j] = rng.nextFloat() * 2 - 1;
                c[i][j] = rng.nextFloat() * 2 - 1;
            }
            SourceEncoding src = enc.row(rows[i]);
            for (int s = 0; s < t; s++) {
                boolean valid = s < src.length();
                mask[i * t + s] = valid ? 1f : 0f;
                for (int j = 0; j < 2 * HE; j++) {
                    // garbage in padded memory/keys must not leak through the mask
                    memory[(i * t + s) * 2 * HE + j] = valid ? src.memory()[s][j] : 100f;
                }
                for (int j = 0; j < HD; j++) {
                    keys[(i * t + s) * HD + j] = valid ? src.keys()[s][j] : 50f;
                }
            }
        }
        var env = OrtRuntime.environment();
        try (OrtSession s = SessionFactory.cpu().create(Seq2SeqGraphs.decoderStep(w));
             OnnxTensor prevT = OnnxTensor.createTensor(env, LongBuffer.wrap(prev), new long[] {n});
             OnnxTensor hT = OrtTensors.floats(OrtTensors.flatten(h, HD), n, HD);
             OnnxTensor cT = OrtTensors.floats(OrtTensors.flatten(c, HD), n, HD);
             OnnxTensor memT = OrtTensors.floats(memory, n, t, 2 * HE);
             OnnxTensor keyT = OrtTensors.floats(keys, n, t, HD);
             OnnxTensor maskT = OrtTensors.floats(mask, n, t);
             OrtSession.Result r = s.run(Map.of(TensorNames.PREV_TOKEN, prevT, TensorNames.H, hT, TensorNames.C, cT,
                     TensorNames.MEMORY, memT, TensorNames.KEYS, keyT, TensorNames.MASK, maskT))) {
            float[] logits = OrtTensors.flat(r, TensorNames.LOGITS);
            float[] logProbs = OrtTensors.flat(r, TensorNames.LOG_PROBS);
            float[] hOut = OrtTensors.flat(r, TensorNames.H_OUT);
            float[] cOut = OrtTensors.flat(r, TensorNames.C_OUT);
            float[] att = OrtTensors.flat(r, TensorNames.ATTENTION);
            double maxDiff = 0;
            for (int i = 0; i < n; i++) {
                SourceEncoding src = enc.row(rows[i]);
                Seq2SeqReference.DecoderStep d = ref.decodeStep(src, prev[i], h[i], c[i]);
                maxDiff = Math.max(maxDiff, maxAbs(d.logits(), logits, i * VT));
                maxDiff = Math.max(maxDiff, maxAbs(d.logProbs(), logProbs, i * VT));
                maxDiff = Math.max(maxDiff, maxAbs(d.h(), hOut, i * HD));
                maxDiff = Math.max(maxDiff, maxAbs(d.c(), cOut, i * HD));
                maxDiff = Math.max(maxDiff, maxAbs(d.attention(), att, i * t));
                for (int s2 = src.length(); s2 < t; s2++) {
                    assertEquals(0f, att[i * t + s2], "attention on padding");
                }
            }
            assertTrue(maxDiff <= TOL, "decoder step max abs diff " + maxDiff);
        }
    }

    @Test
    void ortStepModelMatchesReferenceStepModel() {
        Seq2SeqWeights w = Seq2SeqWeights.random(VS, VT, E, HE, HD, 99);
        Seq2SeqReference ref = new Seq2SeqReference(w);
        long[][] batch = randomBatch(new Random(5), VS, 3, 7, 2, 7);
        try (OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w))) {
            assertEquals(VT, ort.vocabSize());
            Encoded a = ort.encode(batch);
            Encoded b = ref.encode(batch);
            double maxDiff = 0;
            for (int i = 0; i < batch.length; i++) {
                assertEquals(b.row(i).length(), a.row(i).length());
                for (int s = 0; s < a.row(i).length(); s++) {
                    maxDiff = Math.max(maxDiff, maxAbs(b.row(i).memory()[s], a.row(i).memory()[s], 0));
                    maxDiff = Math.max(maxDiff, maxAbs(b.row(i).keys()[s], a.row(i).keys()[s], 0));
                }
                maxDiff = Math.max(maxDiff, maxAbs(b.row(i).initH(), a.row(i).initH(), 0));
                maxDiff = Math.max(maxDiff, maxAbs(b.row(i).initC(), a.row(i).initC(), 0));
            }
            // a few steps from the bridge state, rows sharing the batch with different lengths
            int[] rows = {0, 1, 2, 3, 1};
            long[] prev = {1, 1, 1, 1, 1};
            float[][] h = new float[rows.length][];
            float[][] c = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                h[i] = b.row(rows[i]).initH();
                c[i] = b.row(rows[i]).initC();
            }
            float[][] hr = h, cr = c;
            for (int step = 0; step < 4; step++) {
                StepOutput so = ort.step(b, rows, prev, h, c);
                StepOutput sr = ref.step(b, rows, prev, hr, cr);
                for (int i = 0; i < rows.length; i++) {
                    maxDiff = Math.max(maxDiff, maxAbs(sr.logProbs()[i], so.logProbs()[i], 0));
                    maxDiff = Math.max(maxDiff, maxAbs(sr.h()[i], so.h()[i], 0));
                    maxDiff = Math.max(maxDiff, maxAbs(sr.c()[i], so.c()[i], 0));
                    maxDiff = Math.max(maxDiff, maxAbs(sr.attention()[i], so.attention()[i], 0));
                    prev[i] = 4 + (step + i) % (VT - 4);
                }
                h = so.h();
                c = so.c();
                hr = sr.h();
                cr = sr.c();
            }
            assertTrue(maxDiff <= TOL, "OrtSeq2Seq vs reference max abs diff " + maxDiff);
        }
    }

    @Test
    void swappedGateOrderIsDetected() {
        // sanity check of the test itself: PyTorch-order weights fed straight to ONNX must differ
        LstmWeights l = LstmWeights.random(3, 4, 1);
        FloatTensor onnx = LstmExport.w(l);
        assertEquals(l.wIh().data()[0], onnx.data()[0]);
        int block = 4 * 3;
        // ONNX block 1 (o) is PyTorch block 3 (o); ONNX block 3 (c) is PyTorch block 2 (g)
        assertEquals(l.wIh().data()[3 * block], onnx.data()[block]);
        assertEquals(l.wIh().data()[2 * block], onnx.data()[3 * block]);
        assertEquals(l.wIh().data()[block], onnx.data()[2 * block]);
    }

    static double maxAbs(float[] want, float[] got, int offset) {
        double m = 0;
        for (int i = 0; i < want.length; i++) {
            m = Math.max(m, Math.abs(want[i] - got[offset + i]));
        }
        return m;
    }
}
