package io.crossmodal.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data: a sequence-reversal task over ids 4..9, which needs attention to learn. */
public final class ToyData {
    private ToyData() {}

    public static List<Example> reversal(int n, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 2 + rnd.nextInt(4);
            long[] s = new long[len];
            long[] t = new long[len];
            for (int j = 0; j < len; j++) {
                s[j] = 4 + rnd.nextInt(6);
            }
            for (int j = 0; j < len; j++) {
                t[j] = s[len - 1 - j];
            }
            out.add(new Example(s, t));
        }
        return out;
    }
}
