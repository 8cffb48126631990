package io.crossmodal.trainer.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Length-bucketed batching: examples sorted by length are cut into batches, and the batch order is
 * shuffled each epoch. Similar lengths waste little compute on padding, which matters on 2 cores.
 */
public final class Batches {
    private Batches() {}

    public static List<List<Example>> make(List<Example> examples, int batchSize, Random rnd, boolean bySource) {
        List<Example> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, rnd); // ties in length end up in a random order
        Comparator<Example> byLen = Comparator.comparingInt(e -> bySource ? e.src().length : e.tgt().length);
        shuffled.sort(byLen.thenComparingInt(e -> bySource ? e.tgt().length : 0));
        List<List<Example>> batches = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i += batchSize) {
            batches.add(shuffled.subList(i, Math.min(shuffled.size(), i + batchSize)));
        }
        Collections.shuffle(batches, rnd);
        return batches;
    }
}
