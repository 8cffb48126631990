package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The restorable generator draws what {@code java.util.Random} draws (so switching the trainer to
 * it changed no sample stream), and a generator restored from a saved state continues the stream.
 */
class ResumableRandomTest {
    /** Every kind of draw the trainer makes: doubles (sampling), bounded ints (shuffles), plus the others. */
    private static List<Object> draws(Random r, int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextDouble());
            out.add(r.nextInt(1 + i));
            out.add(r.nextInt());
            out.add(r.nextLong());
            out.add(r.nextFloat());
            out.add(r.nextBoolean());
        }
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            perm.add(i);
        }
        Collections.shuffle(perm, r);
        out.add(perm);
        return out;
    }

    @Test
    void drawsExactlyWhatJavaUtilRandomDraws() {
        for (long seed : new long[] {0, 1, 42, -7, 3L * 1_000_003L + 11, Long.MAX_VALUE}) {
            assertEquals(draws(new Random(seed), 200), draws(new ResumableRandom(seed), 200), "seed " + seed);
        }
    }

    @Test
    void restoredStateContinuesTheStream() {
        ResumableRandom a = new ResumableRandom(9);
        draws(a, 37);
        long saved = a.state();
        List<Object> rest = draws(a, 100);
        assertEquals(rest, draws(ResumableRandom.atState(saved), 100));
        ResumableRandom b = new ResumableRandom(123);
        b.restore(saved);
        assertEquals(rest, draws(b, 100));
    }

    @Test
    void refusesWhatItCannotRestore() {
        assertThrows(IllegalArgumentException.class, () -> ResumableRandom.atState(1L << 48));
        assertThrows(UnsupportedOperationException.class, () -> new ResumableRandom(1).nextGaussian());
    }
}
