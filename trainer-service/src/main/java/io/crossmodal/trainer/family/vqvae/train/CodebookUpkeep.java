package io.crossmodal.trainer.family.vqvae.train;

import ai.djl.ndarray.NDArray;
import java.util.Random;

/**
 * The codebook's two optional maintenance rules, applied after each optimiser step.
 * <ul>
 * <li>EMA (van den Oord et al., appendix): per code, moving averages of how many latents chose it
 * (N_k) and of their sum (m_k); the code becomes m_k / N_k, with Laplace smoothing of N_k so an
 * unused code never divides by zero. The codebook then gets no gradient and no codebook loss.</li>
 * <li>Dead-code re-initialisation: a code no batch has chosen for {@code deadSteps} steps is set
 * to a random encoder output of the current batch (plus its EMA state, if any).</li>
 * </ul>
 * Both keep state across steps; {@link #export}/{@link #restore} carry it through a checkpoint.
 */
public final class CodebookUpkeep {

    private static final double EPS = 1e-5;

    private final int codes;
    private final int dim;
    private final boolean ema;
    private final double decay;
    private final int deadSteps;
    private final double[] counts;
    private final double[] sums;
    private final long[] lastUsed;
    private long step;
    private int reinitialised;

    public CodebookUpkeep(float[] codebook, int codes, int dim, boolean ema, double decay, int deadSteps) {
        this.codes = codes;
        this.dim = dim;
        this.ema = ema;
        this.decay = decay;
        this.deadSteps = deadSteps;
        this.counts = new double[codes];
        this.sums = new double[codes * dim];
        this.lastUsed = new long[codes];
        java.util.Arrays.fill(counts, 1.0);
        for (int i = 0; i < sums.length; i++) {
            sums[i] = codebook[i];
        }
    }

    /**
     * One step's upkeep. {@code ids}: the codes chosen for the batch's latents; {@code ze} their
     * encoder outputs [n * dim]; the codebook array is updated in place when anything changed.
     */
    public void update(long[] ids, float[] ze, NDArray codebook, Random rnd) {
        step++;
        boolean changed = false;
        float[] cb = codebook.toFloatArray();
        if (ema) {
            double[] n = new double[codes];
            double[] s = new double[codes * dim];
            for (int i = 0; i < ids.length; i++) {
                int k = (int) ids[i];
                n[k]++;
                for (int j = 0; j < dim; j++) {
                    s[k * dim + j] += ze[i * dim + j];
                }
            }
            double total = 0;
            for (int k = 0; k < codes; k++) {
                counts[k] = decay * counts[k] + (1 - decay) * n[k];
                total += counts[k];
            }
            for (int k = 0; k < codes; k++) {
                double smoothed = (counts[k] + EPS) / (total + codes * EPS) * total;
                for (int j = 0; j < dim; j++) {
                    sums[k * dim + j] = decay * sums[k * dim + j] + (1 - decay) * s[k * dim + j];
                    cb[k * dim + j] = (float) (sums[k * dim + j] / smoothed);
                }
            }
            changed = true;
        }
        for (long id : ids) {
            lastUsed[(int) id] = step;
        }
        if (deadSteps > 0) {
            int n = ids.length;
            for (int k = 0; k < codes; k++) {
                if (step - lastUsed[k] >= deadSteps) {
                    int pick = rnd.nextInt(n);
                    for (int j = 0; j < dim; j++) {
                        cb[k * dim + j] = ze[pick * dim + j] + (float) (rnd.nextGaussian() * 0.01);
                        sums[k * dim + j] = cb[k * dim + j];
                    }
                    counts[k] = 1.0;
                    lastUsed[k] = step;
                    reinitialised++;
                    changed = true;
                }
            }
        }
        if (changed) {
            codebook.set(cb);
        }
    }

    /** The state a checkpoint keeps (copies), tagged with the trainer's step. */
    public UpkeepState export(long trainerStep) {
        return new UpkeepState(trainerStep, step, reinitialised, counts.clone(), sums.clone(), lastUsed.clone());
    }

    /** Continues from a checkpoint's state; its sizes must be this codebook's. */
    public void restore(UpkeepState s) {
        if (s.counts().length != codes || s.sums().length != sums.length || s.lastUsed().length != codes) {
            throw new IllegalArgumentException("codebook upkeep state of " + s.counts().length + " codes x "
                    + (s.counts().length == 0 ? 0 : s.sums().length / s.counts().length) + " does not match the codebook's "
                    + codes + " x " + dim);
        }
        System.arraycopy(s.counts(), 0, counts, 0, codes);
        System.arraycopy(s.sums(), 0, sums, 0, sums.length);
        System.arraycopy(s.lastUsed(), 0, lastUsed, 0, codes);
        step = s.step();
        reinitialised = s.reinitialised();
    }

    /** Codes re-initialised so far. */
    public int reinitialised() {
        return reinitialised;
    }
}
