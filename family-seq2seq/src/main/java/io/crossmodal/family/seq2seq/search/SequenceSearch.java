package io.crossmodal.family.seq2seq.search;

import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import java.util.List;

/** A decoding strategy over a {@link StepModel}; all inputs are decoded together. */
public interface SequenceSearch {

    /** Returns, per input, its hypotheses sorted best first. */
    List<List<Hypothesis>> search(StepModel model, long[][] sources);

    /**
     * Like {@link #search(StepModel, long[][])}, stopped with {@link RunCancelledException} when
     * {@code control} is cancelled. Core's searches check it before every model call and pass it to
     * the model, so an engine can abort a call already running.
     */
    default List<List<Hypothesis>> search(StepModel model, long[][] sources, RunControl control) {
        control.checkCancelled();
        List<List<Hypothesis>> result = search(model, sources);
        control.checkCancelled();
        return result;
    }
}
