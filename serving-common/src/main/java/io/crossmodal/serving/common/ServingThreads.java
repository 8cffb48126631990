package io.crossmodal.serving.common;

import java.util.Locale;

/**
 * How a service spends the machine's cores on inference: batch workers per model (threads that each
 * run one batch at a time), ONNX Runtime intra-op and inter-op threads per session, and whether the
 * intra-op pool spins. Each setting is {@code auto} or an explicit value; {@code auto} derives it from
 * the cores the JVM sees ({@link Runtime#availableProcessors()}, which honours container CPU limits).
 *
 * <p>The {@code auto} rule, chosen by same-run measurements on 2 cores (benchmarks/serving/sweep.sh,
 * docs/BENCHMARKS.md section 4.1): ONNX Runtime's default pool spins on a core the batch worker needs, so
 * spinning is off; with it off, one worker with two intra-op threads had the lower service latency at
 * concurrency 1 in all three pairings against two workers with one thread each, and the higher throughput at
 * concurrency 64 in two of three. Hence
 * <ul>
 *   <li>batch workers per model = max(1, min(cores / 2, {@value #MAX_AUTO_WORKERS})) (2 cores: 1; 4: 2; 8+: 4);</li>
 *   <li>intra-op threads = max(1, cores / batch workers) (1 core: 1; 2: 2; 8: 2; 16: 4), so workers x intra-op
 *       threads = the cores, never more;</li>
 *   <li>inter-op threads = 1 (the graphs have no parallel branches);</li>
 *   <li>spinning off.</li>
 * </ul>
 * Workers stop at {@value #MAX_AUTO_WORKERS} because more concurrent batches split the load into smaller
 * batches; beyond that, extra cores go to intra-op threads.
 *
 * @param cores          the cores the rule saw
 * @param batchWorkers   batch threads per model
 * @param intraOpThreads per session; 0 = ONNX Runtime's default
 * @param interOpThreads per session; 0 = ONNX Runtime's default
 * @param spinning       whether ONNX Runtime's pool threads spin
 */
public record ServingThreads(int cores, int batchWorkers, int intraOpThreads, int interOpThreads, boolean spinning) {

    /** The most batch workers per model {@code auto} chooses. */
    public static final int MAX_AUTO_WORKERS = 4;

    /** The settings for this JVM's cores. */
    public static ServingThreads of(String workers, String intraOp, String interOp, String spinning) {
        return of(Runtime.getRuntime().availableProcessors(), workers, intraOp, interOp, spinning);
    }

    /**
     * The settings for {@code cores} cores.
     *
     * @throws IllegalArgumentException for a value that is neither {@code auto} nor a number in range
     */
    public static ServingThreads of(int cores, String workers, String intraOp, String interOp, String spinning) {
        int c = Math.max(1, cores);
        int w = isAuto(workers) ? Math.max(1, Math.min(c / 2, MAX_AUTO_WORKERS)) : number("crossmodal.serving.compute.batch-workers", workers, 1);
        int intra = isAuto(intraOp) ? Math.max(1, c / w) : number("crossmodal.onnx.intra-op-threads", intraOp, 0);
        int inter = isAuto(interOp) ? 1 : number("crossmodal.onnx.inter-op-threads", interOp, 0);
        boolean spin;
        if (isAuto(spinning)) {
            spin = false;
        } else if ("true".equalsIgnoreCase(spinning.trim()) || "false".equalsIgnoreCase(spinning.trim())) {
            spin = Boolean.parseBoolean(spinning.trim());
        } else {
            throw new IllegalArgumentException("crossmodal.onnx.allow-spinning must be auto, true or false, got '"
                    + spinning + "'");
        }
        return new ServingThreads(c, w, intra, inter, spin);
    }

    private static boolean isAuto(String value) {
        return value == null || value.isBlank() || "auto".equals(value.trim().toLowerCase(Locale.ROOT));
    }

    private static int number(String key, String value, int min) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(key + " must be auto or a number from " + min + " to 1024, got '" + value + "'");
    }

    @Override
    public String toString() {
        return cores + " cores: " + batchWorkers + " batch worker(s) per model, ONNX Runtime intra-op threads "
                + (intraOpThreads == 0 ? "default" : intraOpThreads) + ", inter-op threads "
                + (interOpThreads == 0 ? "default" : interOpThreads) + ", spinning " + (spinning ? "on" : "off");
    }
}
