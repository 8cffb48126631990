package io.crossmodal.serving.common.testing;

import io.crossmodal.runtime.bundle.ModelRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TinyRegistryResource}'s registry plus models for the batching, queueing and streaming tests,
 * each with its own batching settings (settings and counters are per model, so tests do not see each
 * other's traffic). All are copies of {@code tiny} version 1 (same weights), preloaded:
 * <ul>
 *   <li>{@value #MERGE}: batches wait up to 300 ms to fill, up to 64 requests, so concurrent requests merge;</li>
 *   <li>{@value #SLOW}: batches wait {@value #SLOW_DELAY_MS} ms to fill and at most {@value #SLOW_CAPACITY}
 *       requests may wait, so the queue can be filled and deadlines can pass while a request waits;</li>
 *   <li>{@value #BULK}: for the stream RPCs, which hold at most {@value #STREAM_IN_FLIGHT} requests per stream.</li>
 * </ul>
 */
public class LoadTestingRegistryResource extends TinyRegistryResource {

    public static final String MERGE = "merge";
    public static final String SLOW = "slowq";
    public static final String BULK = "bulk";
    /** Long enough that a loaded machine fills (and overfills) the queue well before the batch runs. */
    public static final int SLOW_DELAY_MS = 4000;
    public static final int SLOW_CAPACITY = 3;
    public static final int STREAM_IN_FLIGHT = 4;
    public static final int EVENT_LOOP_MAX_RUN_MS = 200;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        Path root = Path.of(config.get("crossmodal.registry.dir"));
        for (String model : List.of(MERGE, SLOW, BULK)) {
            writeBundle(root, model, List.of("g2p", "p2g"), 11);
            new ModelRegistry(root).setAlias(model, "production", 1);
        }
        config.put("crossmodal.models", String.join(",", "tiny", MERGE, SLOW, BULK));
        config.put("crossmodal.serving.batching.models." + MERGE + ".max-queue-delay", "300ms");
        config.put("crossmodal.serving.batching.models." + MERGE + ".max-batch-size", "64");
        config.put("crossmodal.serving.batching.models." + SLOW + ".max-queue-delay", SLOW_DELAY_MS + "ms");
        config.put("crossmodal.serving.batching.models." + SLOW + ".max-batch-size", "64");
        config.put("crossmodal.serving.batching.models." + SLOW + ".queue-capacity", Integer.toString(SLOW_CAPACITY));
        config.put("crossmodal.serving.batching.models." + BULK + ".max-queue-delay", "20ms");
        config.put("crossmodal.serving.stream.max-in-flight", Integer.toString(STREAM_IN_FLIGHT));
        // where requests run is decided by the cost bound here (event-loop-max-cost, the default 256): a test machine
        // busy with other builds can make the tiny model's 4-step run take more than the default 1 ms, which would
        // keep every request off the event loop (the time bound itself: EventLoopBoundTest)
        config.put("crossmodal.serving.batching.event-loop-max-run", EVENT_LOOP_MAX_RUN_MS + "ms");
        return config;
    }
}
