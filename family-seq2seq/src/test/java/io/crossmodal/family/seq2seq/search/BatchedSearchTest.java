package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import static io.crossmodal.family.seq2seq.search.ToyStepModel.A;
import static io.crossmodal.family.seq2seq.search.ToyStepModel.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Per-input settings in one batched search, batch keys, and cancellation through RunControl. */
class BatchedSearchTest {

    static final long[][] SOURCES = {{A}, {B}, {A, B}, {B, A, A}};

    /** Every input of a per-input batch gets exactly what it gets searched alone with its own options. */
    @Test
    void perInputOptionsGiveTheSameResultsAsSearchingAlone() {
        List<List<SearchOptions>> batches = List.of(
                List.of(SearchOptions.greedy().withMaxLength(1), SearchOptions.greedy().withMaxLength(5),
                        SearchOptions.greedy().withMaxLength(2), SearchOptions.greedy().withMaxLength(3)),
                List.of(SearchOptions.beam(3, 1).withMaxLength(4), SearchOptions.beam(3, 3).withMaxLength(1),
                        SearchOptions.beam(3, 2).withMaxLength(6), SearchOptions.beam(3, 3).withMaxLength(3)),
                List.of(SearchOptions.sampling(6, 1.3, 11).withMaxLength(4), SearchOptions.sampling(6, 1.3, 12).withMaxLength(2),
                        SearchOptions.sampling(6, 1.3, 11).withMaxLength(7), SearchOptions.sampling(6, 1.3, -5).withMaxLength(3)));
        for (List<SearchOptions> options : batches) {
            List<List<Hypothesis>> batched = SearchOptions.toSearch(options).search(new ToyStepModel(), SOURCES);
            for (int i = 0; i < SOURCES.length; i++) {
                List<Hypothesis> alone = options.get(i).toSearch().search(new ToyStepModel(), new long[][] {SOURCES[i]}).get(0);
                assertEquals(alone, batched.get(i), options.get(i) + " input " + i);
            }
        }
    }

    @Test
    void perInputSearchSharesEveryStep() {
        ToyStepModel model = new ToyStepModel();
        List<SearchOptions> options = List.of(SearchOptions.greedy().withMaxLength(3), SearchOptions.greedy().withMaxLength(8));
        SearchOptions.toSearch(options).search(model, new long[][] {{A}, {B}});
        assertEquals(2, model.stepSizes.get(0), "both inputs advance in the first step call");
    }

    @Test
    void batchKeysGroupWhatCanShareARun() {
        assertEquals(SearchOptions.greedy().withMaxLength(3).batchKey(), SearchOptions.greedy().withMaxLength(9).batchKey());
        assertEquals(SearchOptions.beam(4, 1).withMaxLength(3).batchKey(), SearchOptions.beam(4, 4).withMaxLength(30).batchKey());
        assertNotEquals(SearchOptions.beam(4, 1).batchKey(), SearchOptions.beam(5, 1).batchKey());
        assertNotEquals(SearchOptions.beam(4, 1).batchKey(), SearchOptions.beam(4, 1).withLengthNormalization(true).batchKey());
        assertEquals(SearchOptions.sampling(3, 0.5, 1).batchKey(), SearchOptions.sampling(3, 0.5, 2).batchKey());
        assertNotEquals(SearchOptions.sampling(3, 0.5, 1).batchKey(), SearchOptions.sampling(3, 0.7, 1).batchKey());
        assertNotEquals(SearchOptions.greedy().batchKey(), SearchOptions.beam(1, 1).batchKey());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchOptions.toSearch(List.of(SearchOptions.beam(4, 1), SearchOptions.beam(5, 1))));
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SearchOptions.toSearch(List.of()));
        assertThrows(IllegalArgumentException.class, () -> SearchOptions.toSearch(List.of(SearchOptions.beam(2, 3))));
        // a per-input search checks that it got one setting per input
        assertThrows(IllegalArgumentException.class, () -> SearchOptions.toSearch(List.of(SearchOptions.greedy()))
                .search(new ToyStepModel(), SOURCES));
    }

    @Test
    void aCancelledControlStopsEverySearchBeforeTheNextModelCall() {
        for (SequenceSearch search : List.of(new GreedySearch(10), new BeamSearch(3, 2, 10), new SamplingSearch(4, 1.0, 10, 3))) {
            AtomicInteger steps = new AtomicInteger();
            RunControl control = new RunControl();
            ToyStepModel toy = new ToyStepModel();
            StepModel cancelling = new StepModel() {
                @Override
                public Encoded encode(long[][] tokens) {
                    return toy.encode(tokens);
                }

                @Override
                public StepOutput step(Encoded enc, int[] rows, long[] prev, float[][] h, float[][] c) {
                    if (steps.incrementAndGet() == 2) {
                        control.cancel();
                    }
                    return toy.step(enc, rows, prev, h, c);
                }

                @Override
                public int vocabSize() {
                    return toy.vocabSize();
                }
            };
            assertThrows(RunCancelledException.class, () -> search.search(cancelling, SOURCES, control),
                    search.getClass().getSimpleName());
            assertEquals(2, steps.get(), "no step after the cancel");
        }
        RunControl already = new RunControl();
        assertTrue(already.cancel());
        assertTrue(!already.cancel(), "cancel is idempotent");
        ToyStepModel model = new ToyStepModel();
        assertThrows(RunCancelledException.class, () -> new GreedySearch(5).search(model, SOURCES, already));
        assertTrue(model.stepSizes.isEmpty());
        assertThrows(UnsupportedOperationException.class, RunControl.NONE::cancel);
        assertTrue(!RunControl.NONE.isCancelled());
    }
}
