package io.crossmodal.serving.common.testing;

import io.crossmodal.serving.common.ServingLoadConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@link ServingLoadConfig.Batching} and {@link ServingLoadConfig.ModelBatching} values for unit tests, without a
 * Quarkus config: the three batching settings and the per-model overrides as given, the thread settings at their
 * defaults. One place to extend when the config interface grows.
 */
public final class BatchingConfigs {

    private BatchingConfigs() {}

    /** The service's batching defaults, with per-model overrides. */
    public static ServingLoadConfig.Batching service(int maxBatchSize, Duration maxQueueDelay, int queueCapacity,
            Map<String, ServingLoadConfig.ModelBatching> models) {
        return new ServingLoadConfig.Batching() {
            public int maxBatchSize() {
                return maxBatchSize;
            }

            public Duration maxQueueDelay() {
                return maxQueueDelay;
            }

            public int queueCapacity() {
                return queueCapacity;
            }

            public boolean inlineWhenIdle() {
                return true;
            }

            public boolean eventLoopWhenIdle() {
                return true;
            }

            public long eventLoopMaxCost() {
                return 256;
            }

            public Duration eventLoopMaxRun() {
                return Duration.ofMillis(1);
            }

            public Map<String, ServingLoadConfig.ModelBatching> models() {
                return models;
            }
        };
    }

    /** A per-model override (absent = the service's value). */
    public static ServingLoadConfig.ModelBatching model(OptionalInt maxBatchSize, Optional<Duration> maxQueueDelay,
            OptionalInt queueCapacity) {
        return new ServingLoadConfig.ModelBatching() {
            public OptionalInt maxBatchSize() {
                return maxBatchSize;
            }

            public Optional<Duration> maxQueueDelay() {
                return maxQueueDelay;
            }

            public OptionalInt queueCapacity() {
                return queueCapacity;
            }
        };
    }
}
