package io.crossmodal.serving.common.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.serving.common.ServingLoadConfig;
import io.crossmodal.serving.common.testing.BatchingConfigs;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Precedence of batching settings: the service's per-model override, the bundle's, the service's default. */
class BatchSettingsTest {

    static ServingLoadConfig.Batching service(Map<String, ServingLoadConfig.ModelBatching> models) {
        return BatchingConfigs.service(32, Duration.ofMillis(5), 1000, models);
    }

    static ServingLoadConfig.ModelBatching override(Integer maxBatchSize) {
        return BatchingConfigs.model(maxBatchSize == null ? OptionalInt.empty() : OptionalInt.of(maxBatchSize), Optional.empty(),
                OptionalInt.empty());
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
