package io.crossmodal.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Label smoothing and dropout of {@link Seq2SeqBlock#regularise}: the smoothed loss is checked against
 * an independent computation of its two parts through the plain forward pass, and both switches act only
 * while training (the per-sequence NLL that searches, the dev metric and the noisy channel read stays plain).
 */
class Seq2SeqRegularisationTest {

    private static final Seq2SeqSpec SPEC = new Seq2SeqSpec(7, 6, 8, 10, 12);
    private static final List<long[]> SRC = List.of(new long[] {3, 4, 5, 6}, new long[] {4, 3});
    private static final List<long[]> TGT = List.of(new long[] {3, 5, 4}, new long[] {5});

    @Test
    void smoothedLossIsTheMixOfTheNllAndTheMeanOverTheVocabulary() {
        float eps = 0.2f;
        // An untrained model is close to uniform, so its NLL and the uniform part differ by its initialisation only:
        // a fixed seed makes that difference the same every run (1.5 % of the NLL here, 15 x the tolerance below).
        Engine.getInstance().setRandomSeed(8);
        try (NDManager m = NDManager.newBaseManager()) {
            Seq2SeqBlock block = new Seq2SeqBlock(SPEC);
            block.initializeAll(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDList batch = Seq2SeqBatch.pairs(m, SRC, TGT);
            double nll = block.forward(ps, batch, false).get(0).getFloat();

            // The uniform part by hand: for every real target position u and every symbol v, -log p(v | prefix),
            // read as the NLL of a batch whose mask keeps only position u and whose output there is v.
            NDArray out = batch.get(4);
            NDArray mask = batch.get(5);
            long b = out.getShape().get(0);
            long u = out.getShape().get(1);
            long[] outIds = out.toLongArray();
            double uniform = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < u; j++) {
                    if (mask.getFloat(i, j) == 0f) {
                        continue;
                    }
                    float[] only = new float[(int) (b * u)];
                    only[(int) (i * u + j)] = 1f;
                    for (int v = 0; v < SPEC.tgtVocab(); v++) {
                        long[] outs = outIds.clone();
                        outs[(int) (i * u + j)] = v;
                        NDList probe = new NDList(batch.get(0), batch.get(1), batch.get(2), batch.get(3),
                                m.create(outs, out.getShape()), m.create(only, mask.getShape()));
                        uniform += block.forward(ps, probe, false).get(0).getFloat() / SPEC.tgtVocab();
                    }
                }
            }

            block.regularise(eps, 0f);
            NDList smoothed = block.forward(ps, batch, true);
            assertEquals((1 - eps) * nll + eps * uniform, smoothed.get(0).getFloat(), 1e-4 * uniform,
                    "(1 - eps) NLL + eps * mean over the vocabulary of -log p");
            assertEquals(nll, smoothed.get(1).sum().getFloat(), 1e-4 * nll, "the per-sequence NLL stays plain");
            assertEquals(nll, block.forward(ps, batch, false).get(0).getFloat(), 1e-6 * nll, "no smoothing outside training");
            assertNotEquals(nll, smoothed.get(0).getFloat(), 1e-3 * nll);
        }
    }

    @Test
    void dropoutActsOnlyWhileTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seq2SeqBlock block = new Seq2SeqBlock(SPEC);
            block.initializeAll(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDList batch = Seq2SeqBatch.pairs(m, SRC, TGT);
            float plain = block.forward(ps, batch, false).get(0).getFloat();
            float plainTraining = block.forward(ps, batch, true).get(0).getFloat();
            assertEquals(plain, plainTraining, 1e-6 * plain, "without regularisation training changes nothing");

            block.regularise(0f, 0.5f);
            assertEquals(plain, block.forward(ps, batch, false).get(0).getFloat(), 1e-6 * plain, "no dropout outside training");
            Engine.getInstance().setRandomSeed(7);
            float a = block.forward(ps, batch, true).get(0).getFloat();
            float b = block.forward(ps, batch, true).get(0).getFloat();
            assertNotEquals(plain, a, 1e-4 * plain, "dropout changes the training loss");
            assertNotEquals(a, b, 1e-4 * plain, "each training pass draws new masks");
            Engine.getInstance().setRandomSeed(7);
            assertEquals(a, block.forward(ps, batch, true).get(0).getFloat(), 1e-6 * plain, "masks follow the engine's seed");
        }
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        Seq2SeqBlock block = new Seq2SeqBlock(SPEC);
        assertThrows(IllegalArgumentException.class, () -> block.regularise(0.5f, 0f));
        assertThrows(IllegalArgumentException.class, () -> block.regularise(0f, 0.95f));
        assertThrows(IllegalArgumentException.class, () -> block.regularise(Float.NaN, 0f));
    }
}
