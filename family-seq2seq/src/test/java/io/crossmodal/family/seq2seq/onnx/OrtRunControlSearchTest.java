package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.OrtRunControl;
import io.crossmodal.runtime.onnx.InferenceException;
import io.crossmodal.runtime.onnx.SessionFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ONNX Runtime run options threaded through OrtSeq2Seq: terminate from another thread, and their lifecycle. */
class OrtRunControlSearchTest {

    static OrtSeq2Seq model;
    static final long[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 5, 5, 6, 7}};

    @BeforeAll
    static void open() {
        Seq2SeqWeights w = Seq2SeqWeights.random(9, 8, 8, 6, 10, 99);
        model = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void searchUnderAControlEqualsSearchWithout() {
        BeamSearch beam = new BeamSearch(3, 2, 8);
        List<List<Hypothesis>> plain = beam.search(model, SOURCES);
        try (OrtRunControl control = new OrtRunControl()) {
            assertNotNull(control.unwrap(OrtSession.RunOptions.class));
            assertEquals(plain, beam.search(model, SOURCES, control));
        }
    }

    @Test
    void theRunOptionsReachTheRunsAndCancelTerminatesThem() throws Exception {
        try (OrtRunControl control = new OrtRunControl()) {
            Encoded enc = model.encode(SOURCES, control);
            // the flag set behind the control's back: the run itself fails, so the options were used
            control.unwrap(OrtSession.RunOptions.class).setTerminate(true);
            InferenceException e = assertThrows(InferenceException.class, () -> model.encode(SOURCES, control));
            assertTrue(e.getMessage().contains("encoder run failed"), e.getMessage());
            control.unwrap(OrtSession.RunOptions.class).setTerminate(false);
            assertEquals(3, model.encode(SOURCES, control).batchSize());
            // cancelled: refused before running, and a run already terminated reports the cancellation
            assertTrue(control.cancel());
            assertThrows(RunCancelledException.class, () -> model.step(enc, new int[] {0}, new long[] {1},
                    new float[][] {enc.row(0).initH()}, new float[][] {enc.row(0).initC()}, control));
        }
    }

    @Test
    void cancellingFromAnotherThreadStopsARunningSearch() throws Exception {
        long[][] many = new long[64][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new long[] {4 + i % 5, 5, 6, 4 + (i * 7) % 5, 7};
        }
        BeamSearch beam = new BeamSearch(8, 8, 60);
        try (OrtRunControl control = new OrtRunControl()) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    beam.search(new io.crossmodal.family.seq2seq.search.StepModel() {
                        public Encoded encode(long[][] tokens) {
                            return model.encode(tokens);
                        }

                        public io.crossmodal.family.seq2seq.search.StepOutput step(Encoded enc, int[] r, long[] p, float[][] h, float[][] c) {
                            return model.step(enc, r, p, h, c);
                        }

                        @Override
                        public io.crossmodal.family.seq2seq.search.StepOutput step(Encoded enc, int[] r, long[] p, float[][] h,
                                float[][] c, RunControl ctl) {
                            started.countDown();
                            return model.step(enc, r, p, h, c, ctl);
                        }

                        public int vocabSize() {
                            return model.vocabSize();
                        }
                    }, many, control);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            t.start();
            assertTrue(started.await(30, TimeUnit.SECONDS));
            control.cancel();
            t.join(30_000);
            assertInstanceOf(RunCancelledException.class, outcome.get());
        }
    }

    @Test
    void closeFreesTheOptionsAndALateCancelIsHarmless() {
        OrtRunControl control = new OrtRunControl();
        control.close();
        control.close();
        assertTrue(control.isClosed());
        assertNull(control.unwrap(OrtSession.RunOptions.class));
        assertTrue(control.cancel());
        assertTrue(control.isCancelled());
        // a closed, cancelled control still refuses to run
        assertThrows(RunCancelledException.class, () -> model.encode(SOURCES, control));
    }
}
