package io.crossmodal.core.search;

import java.util.List;

/** A decoding strategy over a {@link StepModel}; all inputs are decoded together. */
public interface SequenceSearch {

    /** Returns, per input, its hypotheses sorted best first. */
    List<List<Hypothesis>> search(StepModel model, long[][] sources);
}
