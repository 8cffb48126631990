package io.crossmodal.serving.common.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code crossmodal.metrics.*}: the services' own meters ({@link ServingMetrics}). */
@ConfigMapping(prefix = "crossmodal.metrics")
public interface MetricsConfig {

    /**
     * Most distinct model names used as {@code model} tag values; further names are counted as
     * {@value ModelLabels#OTHER} (names a caller made up are always {@value ModelLabels#UNKNOWN}).
     */
    @WithDefault("100")
    int maxModelLabels();
}
