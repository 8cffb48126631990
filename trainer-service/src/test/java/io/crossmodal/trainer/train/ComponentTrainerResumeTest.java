package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.Model;
import ai.djl.engine.Engine;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume is exact: k epochs, a stop, and the remaining epochs from the checkpoint give the same
 * weights and the same Adam state as one uninterrupted run, because the checkpoint holds Adam's
 * moments and update count (not only the weights and counters).
 */
class ComponentTrainerResumeTest {
    /** The weights after a run and the Adam state its result carries, exported by parameter name. */
    private record Run(List<float[]> weights, AdamMoments adam, ComponentTrainer.Result result) {}

    /**
     * One run of {@code epochs} epochs over {@code ckpt}. The dev metric improves at each call of
     * the shared counter, so best = last and the learning rate also decays identically (one bad epoch
     * at the second call): a resumed run that shares {@code dev} sees the same dev values as an
     * uninterrupted one.
     */
    private static Run train(Path ckpt, int epochs, double[] dev) throws Exception {
        try (Model model = Model.newInstance("t")) {
            Engine.getInstance().setRandomSeed(7);
            Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(10, 10, 8, 16, 16));
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            TrainSettings s = new TrainSettings(16, 0.01f, epochs, 0, 5, 5f, 0.5f, 1);
            ComponentTrainer.Result r = new ComponentTrainer(e -> { }, () -> false).train("toy", model,
                    ToyData.reversal(64, 1),
                    (m, b) -> Seq2SeqBatch.pairs(m, b.stream().map(Example::src).toList(), b.stream().map(Example::tgt).toList()),
                    true, s, () -> dev[0] -= 0.1, "per", ckpt);
            return new Run(ParamIO.snapshot(block), r.optimizer().adam().export(block, r.steps()), r);
        }
    }

    @Test
    void stoppedAndResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Run straight = train(dir.resolve("straight"), 3, new double[] {1});
        double[] dev = {1};
        Run first = train(dir.resolve("resumed"), 1, dev);
        assertEquals(4, first.result().steps());
        Run resumed = train(dir.resolve("resumed"), 3, dev);
        assertEquals(12, resumed.result().steps());

        assertWeightsEqual(straight.weights(), resumed.weights());
        AdamMoments a = AdamMoments.read(dir.resolve("straight").resolve(AdamMoments.FILE));
        AdamMoments b = AdamMoments.read(dir.resolve("resumed").resolve(AdamMoments.FILE));
        assertMomentsEqual(a, b);
        assertEquals(12, a.updates(), "one Adam update per step, none skipped");
        assertFalse(equalWeights(first.weights(), resumed.weights()), "the resumed run trained on");
    }

    /** What a checkpoint saved is what a resumed trainer holds: update count and both moments, value for value. */
    @Test
    void restoredMomentsEqualTheSavedOnes(@TempDir Path dir) throws Exception {
        Run first = train(dir, 1, new double[] {1});
        AdamMoments saved = AdamMoments.read(dir.resolve(AdamMoments.FILE));
        assertNotNull(saved, "the checkpoint holds Adam's state");
        assertMomentsEqual(first.adam(), saved);
        assertFalse(saved.mean().isEmpty());
        // over the same directory with nothing left to train: the trainer only restores
        Run again = train(dir, 1, new double[] {1});
        assertEquals(4, again.result().steps());
        assertMomentsEqual(saved, again.adam());
    }

    /** A checkpoint written before optimiser state existed still resumes (fresh moments), and then differs. */
    @Test
    void checkpointWithoutOptimiserStateStillResumes(@TempDir Path dir) throws Exception {
        Run straight = train(dir.resolve("straight"), 3, new double[] {1});
        double[] dev = {1};
        train(dir.resolve("old"), 1, dev);
        Files.delete(dir.resolve("old").resolve(AdamMoments.FILE));
        Run resumed = train(dir.resolve("old"), 3, dev);
        assertEquals(12, resumed.result().steps());
        assertEquals(8, AdamMoments.read(dir.resolve("old").resolve(AdamMoments.FILE)).updates(),
                "fresh Adam: counted from the resume on");
        assertFalse(equalWeights(straight.weights(), resumed.weights()),
                "fresh moments change the trajectory: the exactness test above depends on restoring them");
    }

    static void assertWeightsEqual(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0f, "parameter " + i);
        }
    }

    private static boolean equalWeights(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static void assertMomentsEqual(AdamMoments a, AdamMoments b) {
        assertEquals(a.updates(), b.updates(), "update count");
        assertEquals(a.mean().keySet(), b.mean().keySet());
        a.mean().forEach((k, v) -> assertArrayEquals(v, b.mean().get(k), 0f, "first moment of " + k));
        a.variance().forEach((k, v) -> assertArrayEquals(v, b.variance().get(k), 0f, "second moment of " + k));
    }
}
