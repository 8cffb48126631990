package io.crossmodal.serving.common.testing;

import io.crossmodal.runtime.bundle.ModelRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TinyRegistryResource}'s registry plus model {@value #MODEL} for the lifecycle-event tests:
 * versions 1, 2 and 3, all valid with different random weights, production -> 1. The registry is polled
 * only every {@value #POLL_SECONDS} s, so a swap within seconds is the event's doing, and the
 * {@code model-lifecycle} consumer is switched on, reading the topic from its start (the test broker's
 * topic is new). Use with {@link io.crossmodal.serving.common.testing.kafka.KafkaBrokerResource}.
 */
public class EventsRegistryResource extends TinyRegistryResource {

    public static final String MODEL = "live";
    public static final int POLL_SECONDS = 3600;

    private static volatile Path root;

    /** The registry of the running test. */
    public static Path root() {
        return root;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        root = Path.of(config.get("crossmodal.registry.dir"));
        for (long seed : new long[] {501, 502, 503}) {
            writeBundle(root, MODEL, List.of("g2p", "p2g"), seed);
        }
        new ModelRegistry(root).setAlias(MODEL, "production", 1);
        config.put("crossmodal.models", "tiny," + MODEL);
        config.put("crossmodal.serving.reload-interval", POLL_SECONDS + "s");
        config.put("mp.messaging.incoming.model-lifecycle.enabled", "true");
        config.put("mp.messaging.incoming.model-lifecycle.auto.offset.reset", "earliest");
        return config;
    }
}
