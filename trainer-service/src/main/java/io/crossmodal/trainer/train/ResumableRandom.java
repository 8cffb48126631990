package io.crossmodal.trainer.train;

import java.util.Random;

/**
 * A {@link Random} whose state a checkpoint can hold. {@code java.util.Random} keeps its 48-bit
 * state private (only Java serialisation reaches it); this subclass runs the same linear
 * congruential generator, which {@code Random}'s contract fixes ("the algorithms shown here must
 * be used"), so it draws exactly the numbers {@code new Random(seed)} draws (checked by
 * {@code ResumableRandomTest}) and a resumed run continues the same sample stream.
 */
public final class ResumableRandom extends Random {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    /** The generator's state; no field initialiser, because {@code Random}'s constructor sets it through {@link #setSeed}. */
    private long state;

    public ResumableRandom(long seed) {
        super(seed);
    }

    /** A generator at a state read from {@link #state()}. */
    public static ResumableRandom atState(long state) {
        ResumableRandom r = new ResumableRandom(0);
        r.restore(state);
        return r;
    }

    @Override
    public synchronized void setSeed(long seed) {
        state = (seed ^ MULTIPLIER) & MASK;
    }

    @Override
    protected synchronized int next(int bits) {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> (48 - bits));
    }

    /**
     * Not supported: {@code Random} caches a second Gaussian in private fields that a checkpoint
     * could not hold, so a resumed stream could differ; nothing in the trainer draws Gaussians.
     */
    @Override
    public double nextGaussian() {
        throw new UnsupportedOperationException("ResumableRandom does not draw Gaussians (their cache is not restorable)");
    }

    /** The current 48-bit state, for a checkpoint. */
    public synchronized long state() {
        return state;
    }

    /** Continues from a state read from {@link #state()}. */
    public synchronized void restore(long saved) {
        if ((saved & ~MASK) != 0) {
            throw new IllegalArgumentException("not a 48-bit generator state: " + saved);
        }
        state = saved;
    }
}
