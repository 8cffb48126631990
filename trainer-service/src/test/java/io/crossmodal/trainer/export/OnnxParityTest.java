package io.crossmodal.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.crossmodal.family.seq2seq.onnx.OrtPrior;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.family.seq2seq.onnx.PriorGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.seq2seq.search.BeamSearch;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.family.seq2seq.search.StepOutput;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.model.DjlStepModel;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import io.crossmodal.trainer.model.WeightExtractor;
import io.crossmodal.trainer.train.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every exported graph against the trainer's own DJL forward pass, on real words after some
 * training (so the weights are not an initialiser's symmetric draw): max |diff| <= 1e-4.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxParityTest {
    private static final double TOL = 1e-4;
    private static final String[][] LEXICON = {
        {"hello", "HH AH L OW"}, {"world", "W ER L D"}, {"phone", "F OW N"}, {"graph", "G R AE F"},
        {"speech", "S P IY CH"}, {"noisy", "N OY Z IY"}, {"channel", "CH AE N AH L"}, {"model", "M AA D AH L"},
        {"a", "AH"}, {"through", "TH R UW"}, {"knight", "N AY T"}, {"quick", "K W IH K"},
    };

    Model seqModel;
    Model priorModel;
    Seq2SeqBlock block;
    PriorBlock prior;
    Vocabulary graphemes;
    Vocabulary phonemes;
    final List<long[]> src = new ArrayList<>();
    final List<long[]> tgt = new ArrayList<>();

    /** Whether the seq2seq model under test uses location-aware attention. */
    boolean locationAttention() {
        return false;
    }

    @BeforeAll
    void train() {
        List<List<String>> gs = new ArrayList<>();
        List<List<String>> ps = new ArrayList<>();
        for (String[] e : LEXICON) {
            gs.add(Vocabulary.graphemes(e[0]));
            ps.add(List.of(e[1].split(" ")));
        }
        graphemes = Vocabulary.fromSequences(gs);
        phonemes = Vocabulary.fromSequences(ps);
        for (int i = 0; i < gs.size(); i++) {
            src.add(graphemes.encode(gs.get(i)));
            tgt.add(phonemes.encode(ps.get(i)));
        }
        block = new Seq2SeqBlock(new Seq2SeqSpec(graphemes.size(), phonemes.size(), 12, 10, 14, locationAttention()));
        seqModel = fit(block, m -> Seq2SeqBatch.pairs(m, src, tgt));
        prior = new PriorBlock(graphemes.size(), 8, 16);
        priorModel = fit(prior, m -> Seq2SeqBatch.target(m, src));
    }

    private static Model fit(ai.djl.nn.AbstractBlock b, java.util.function.Function<NDManager, NDList> batch) {
        Model model = Model.newInstance("parity");
        model.setBlock(b);
        if (b instanceof Seq2SeqBlock s) {
            s.initializeAll(model.getNDManager());
        } else {
            ((PriorBlock) b).initializeAll(model.getNDManager());
        }
        DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(new Shape(1, 1));
            for (int i = 0; i < 150; i++) {
                try (NDManager m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
                    NDList out = trainer.forward(batch.apply(m));
                    gc.backward(Scalars.div(out.get(0), out.get(2).getFloat()));
                }
                trainer.step();
            }
        }
        return model;
    }

    @AfterAll
    void close() {
        seqModel.close();
        priorModel.close();
    }

    private long[][] batch() {
        return src.toArray(new long[0][]);
    }

    @Test
    void encoderGraphMatchesDjl() {
        Seq2SeqWeights w = WeightExtractor.seq2seq(block);
        try (DjlStepModel djl = new DjlStepModel(block, seqModel.getNDManager());
                OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w))) {
            Encoded a = djl.encode(batch());
            Encoded b = ort.encode(batch());
            double max = 0;
            for (int i = 0; i < a.batchSize(); i++) {
                assertEquals(a.row(i).length(), b.row(i).length());
                max = Math.max(max, maxDiff(a.row(i).memory(), b.row(i).memory()));
                max = Math.max(max, maxDiff(a.row(i).keys(), b.row(i).keys()));
                max = Math.max(max, maxDiff(new float[][] {a.row(i).initH(), a.row(i).initC()},
                        new float[][] {b.row(i).initH(), b.row(i).initC()}));
            }
            assertTrue(max <= TOL, "encoder max abs diff " + max);
        }
    }

    /** Raw logits of the decoder-step graph against DJL's, over several steps of teacher forcing. */
    @Test
    void decoderStepLogitsMatchDjl() throws Exception {
        Seq2SeqWeights w = WeightExtractor.seq2seq(block);
        OrtEnvironment env = OrtRuntime.environment();
        try (DjlStepModel djl = new DjlStepModel(block, seqModel.getNDManager());
                OrtSession step = SessionFactory.cpu().create(Seq2SeqGraphs.decoderStep(w));
                NDManager m = seqModel.getNDManager().newSubManager()) {
            long[][] sources = batch();
            Encoded enc = djl.encode(sources);
            int n = sources.length;
            int t = enc.maxLength(range(n));
            int dm = enc.row(0).memory()[0].length;
            int dk = enc.row(0).keys()[0].length;
            float[][][] memory = new float[n][t][dm];
            float[][][] keys = new float[n][t][dk];
            float[][] mask = new float[n][t];
            float[][] h = new float[n][];
            float[][] c = new float[n][];
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < enc.row(i).length(); s++) {
                    memory[i][s] = enc.row(i).memory()[s];
                    keys[i][s] = enc.row(i).keys()[s];
                    mask[i][s] = 1f;
                }
                h[i] = enc.row(i).initH();
                c[i] = enc.row(i).initC();
            }
            double max = 0;
            long[] prev = new long[n];
            java.util.Arrays.fill(prev, Vocabulary.BOS);
            Seq2SeqBlock.Encoded rows = new Seq2SeqBlock.Encoded(m.create(flat(memory), new Shape(n, t, dm)),
                    m.create(flat(keys), new Shape(n, t, dk)), m.create(mask), null, null);
            for (int k = 0; k < 4; k++) {
                NDList d = block.step(new ParameterStore(m, false), m.create(prev), m.create(h), m.create(c), rows);
                Map<String, OnnxTensor> in = Map.of(
                        "prev_token", OnnxTensor.createTensor(env, prev), "h", OnnxTensor.createTensor(env, h),
                        "c", OnnxTensor.createTensor(env, c), "memory", OnnxTensor.createTensor(env, memory),
                        "keys", OnnxTensor.createTensor(env, keys), "mask", OnnxTensor.createTensor(env, mask));
                try (OrtSession.Result r = step.run(in)) {
                    max = Math.max(max, maxDiff(toRows(d.get(0)), (float[][]) r.get("logits").get().getValue()));
                    max = Math.max(max, maxDiff(toRows(d.get(1)), (float[][]) r.get("h_out").get().getValue()));
                    max = Math.max(max, maxDiff(toRows(d.get(2)), (float[][]) r.get("c_out").get().getValue()));
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
                // Teacher forcing: feed each word's reference phoneme k (or </s>) next.
                for (int i = 0; i < n; i++) {
                    prev[i] = k < tgt.get(i).length ? tgt.get(i)[k] : Vocabulary.EOS;
                }
                h = toRows(d.get(1));
                c = toRows(d.get(2));
            }
            assertTrue(max <= TOL, "decoder step max abs diff " + max);
        }
    }

    /** The training forward (teacher forcing, whole sequences) scores exactly what step-by-step decoding scores. */
    @Test
    void trainingForwardMatchesStepwiseScores() {
        Seq2SeqWeights w = WeightExtractor.seq2seq(block);
        try (OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w));
                NDManager m = seqModel.getNDManager().newSubManager()) {
            NDList out = block.forward(new ParameterStore(m, false), Seq2SeqBatch.pairs(m, src, tgt), false);
            float[] nll = out.get(1).toFloatArray();
            long[][] sources = batch();
            Encoded enc = ort.encode(sources);
            for (int i = 0; i < sources.length; i++) {
                float[] h = enc.row(i).initH();
                float[] c = enc.row(i).initC();
                long prev = Vocabulary.BOS;
                double logp = 0;
                long[] y = tgt.get(i);
                for (int k = 0; k <= y.length; k++) {
                    StepOutput o = ort.step(enc, new int[] {i}, new long[] {prev}, new float[][] {h}, new float[][] {c});
                    long next = k < y.length ? y[k] : Vocabulary.EOS;
                    logp += o.logProbs()[0][(int) next];
                    h = o.h()[0];
                    c = o.c()[0];
                    prev = next;
                }
                assertEquals(nll[i], -logp, 1e-3, "word " + i);
            }
        }
    }

    @Test
    void beamSearchOverOnnxEqualsBeamSearchOverDjl() {
        Seq2SeqWeights w = WeightExtractor.seq2seq(block);
        BeamSearch beam = new BeamSearch(4, 3, 20);
        try (DjlStepModel djl = new DjlStepModel(block, seqModel.getNDManager());
                OrtSeq2Seq ort = OrtSeq2Seq.create(SessionFactory.cpu(), Seq2SeqGraphs.encoder(w), Seq2SeqGraphs.decoderStep(w))) {
            List<List<Hypothesis>> a = beam.search(djl, batch());
            List<List<Hypothesis>> b = beam.search(ort, batch());
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).size(), b.get(i).size(), "n-best size of input " + i);
                for (int j = 0; j < a.get(i).size(); j++) {
                    assertArrayEquals(a.get(i).get(j).tokens(), b.get(i).get(j).tokens(), "input " + i + " hyp " + j);
                    assertEquals(a.get(i).get(j).logProb(), b.get(i).get(j).logProb(), 1e-3);
                }
            }
            // The model learnt something: most training words come back right.
            int correct = 0;
            for (int i = 0; i < b.size(); i++) {
                correct += java.util.Arrays.equals(b.get(i).get(0).tokens(), tgt.get(i)) ? 1 : 0;
            }
            assertTrue(correct >= LEXICON.length / 2, "only " + correct + " of " + LEXICON.length + " memorised");
        }
    }

    @Test
    void priorStepGraphMatchesDjl() {
        try (OrtPrior ort = OrtPrior.create(SessionFactory.cpu(), PriorGraphs.step(WeightExtractor.prior(prior)));
                NDManager m = priorModel.getNDManager().newSubManager()) {
            int n = src.size();
            float[][] h = new float[n][prior.hidden()];
            float[][] c = new float[n][prior.hidden()];
            long[] prev = new long[n];
            java.util.Arrays.fill(prev, Vocabulary.BOS);
            double max = 0;
            for (int k = 0; k < 4; k++) {
                NDList d = prior.step(new ParameterStore(m, false), m.create(prev), m.create(h), m.create(c));
                StepOutput o = ort.step(prev, h, c);
                max = Math.max(max, maxDiff(toRows(d.get(0).logSoftmax(1)), o.logProbs()));
                max = Math.max(max, maxDiff(toRows(d.get(1)), o.h()));
                h = toRows(d.get(1));
                c = toRows(d.get(2));
                for (int i = 0; i < n; i++) {
                    prev[i] = k < src.get(i).length ? src.get(i)[k] : Vocabulary.EOS;
                }
            }
            assertTrue(max <= TOL, "prior step max abs diff " + max);
        }
    }

    private static float[] flat(float[][][] a) {
        int n = a.length;
        int t = a[0].length;
        int d = a[0][0].length;
        float[] out = new float[n * t * d];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < t; s++) {
                System.arraycopy(a[i][s], 0, out, (i * t + s) * d, d);
            }
        }
        return out;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static float[][] toRows(NDArray a) {
        long[] s = a.getShape().getShape();
        float[] flat = a.toFloatArray();
        float[][] out = new float[(int) s[0]][(int) s[1]];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(flat, i * out[i].length, out[i], 0, out[i].length);
        }
        return out;
    }

    private static double maxDiff(float[][] a, float[][] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
