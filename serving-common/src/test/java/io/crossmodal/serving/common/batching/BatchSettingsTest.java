package io.crossmodal.serving.common.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.serving.common.ServingLoadConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Precedence of batching settings: the service's per-model override, the bundle's, the service's default. */
class BatchSettingsTest {

    static ServingLoadConfig.Batching service(Map<String, ServingLoadConfig.ModelBatching> models) {
        return new ServingLoadConfig.Batching() {
            public int maxBatchSize() {
                return 32;
            }

            public Duration maxQueueDelay() {
                return Duration.ofMillis(5);
            }

            public int queueCapacity() {
                return 1000;
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

    static ServingLoadConfig.ModelBatching override(Integer maxBatchSize) {
        return new ServingLoadConfig.ModelBatching() {
            public OptionalInt maxBatchSize() {
                return maxBatchSize == null ? OptionalInt.empty() : OptionalInt.of(maxBatchSize);
            }

            public Optional<Duration> maxQueueDelay() {
                return Optional.empty();
            }

            public OptionalInt queueCapacity() {
                return OptionalInt.empty();
            }
        };
    }

    @Test
    void theBundleOverridesTheServiceDefaultsAndTheServicesPerModelOverrideWins() {
        ServingSpec bundle = new ServingSpec(null, 8, 1.0, null, null, null);
        // no bundle settings: the service's defaults
        assertEquals(new BatchSettings(32, Duration.ofMillis(5), 1000), BatchSettings.of(service(Map.of()), "m", null));
        assertEquals(new BatchSettings(32, Duration.ofMillis(5), 1000), BatchSettings.of(service(Map.of()), "m", ServingSpec.NONE));
        // the bundle's, field by field, over the defaults
        assertEquals(new BatchSettings(8, Duration.ofMillis(1), 1000), BatchSettings.of(service(Map.of()), "m", bundle));
        // the service's per-model override over the bundle's
        assertEquals(new BatchSettings(4, Duration.ofMillis(1), 1000),
                BatchSettings.of(service(Map.of("m", override(4))), "m", bundle));
        assertEquals(new BatchSettings(8, Duration.ofMillis(1), 1000),
                BatchSettings.of(service(Map.of("other", override(4))), "m", bundle));
    }
}
