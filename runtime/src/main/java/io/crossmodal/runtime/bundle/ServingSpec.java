package io.crossmodal.runtime.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a bundle wants to be served by one service role ({@code encoder}, {@code decoder}): the
 * per-model serving settings that travel with the model, in the spirit of Triton's per-model
 * config. Every field is optional; the service's configuration is the fallback and, where the
 * operator sets it, the override or the ceiling (docs/DESIGN.md, "Serving settings: precedence").
 *
 * @param component     the bundle component that serves the role (null = the family's default)
 * @param maxBatchSize  most requests per batch
 * @param maxQueueDelayMs how long (ms) the oldest queued request waits for companions
 * @param queueCapacity most requests waiting per model
 * @param limits        input limits by name (family-defined, e.g. {@code maxInputLength}); the service's
 *                      value of the same name is a ceiling
 * @param decoding      decoding defaults by name (family-defined, e.g. {@code beamWidth})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServingSpec(String component, Integer maxBatchSize, Double maxQueueDelayMs, Integer queueCapacity,
        Map<String, Number> limits, Map<String, Object> decoding) {

    public ServingSpec {
        limits = limits == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(limits));
        decoding = decoding == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(decoding));
        if (maxBatchSize != null && maxBatchSize < 1) {
            throw new IllegalArgumentException("serving.maxBatchSize must be >= 1, got " + maxBatchSize);
        }
        if (queueCapacity != null && queueCapacity < 1) {
            throw new IllegalArgumentException("serving.queueCapacity must be >= 1, got " + queueCapacity);
        }
        if (maxQueueDelayMs != null && !(maxQueueDelayMs >= 0 && maxQueueDelayMs <= 60_000)) {
            throw new IllegalArgumentException("serving.maxQueueDelayMs must be in [0, 60000], got " + maxQueueDelayMs);
        }
    }

    /** No settings: everything from the service configuration. */
    public static final ServingSpec NONE = new ServingSpec(null, null, null, null, null, null);

    /** The queue delay, or null when the bundle sets none. */
    public Duration maxQueueDelay() {
        return maxQueueDelayMs == null ? null : Duration.ofNanos(Math.round(maxQueueDelayMs * 1e6));
    }
}
