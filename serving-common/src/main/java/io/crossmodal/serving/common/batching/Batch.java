package io.crossmodal.serving.common.batching;

import io.crossmodal.runtime.control.RunControl;
import java.util.List;

/** The requests of one run and its control (fields guarded by the lane's lock, except {@link #results}). */
final class Batch<R> {
    final List<Batcher.Ticket<R>> members;
    final RunControl control;
    /** Requests still wanting the result. */
    int live;
    /** Set by a successful run. */
    List<R> results;

    Batch(List<Batcher.Ticket<R>> members, RunControl control) {
        this.members = members;
        this.control = control;
        this.live = members.size();
    }
}
