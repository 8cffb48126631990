package io.crossmodal.serving.common.batching;

import io.crossmodal.serving.common.ServingLoadConfig;
import io.crossmodal.runtime.bundle.ServingSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Batching settings of one model.
 *
 * @param maxBatchSize  most requests per batch (1 = no merging)
 * @param maxQueueDelay how long the oldest queued request waits for companions
 * @param queueCapacity most requests waiting (the running batch not counted)
 */
public record BatchSettings(int maxBatchSize, Duration maxQueueDelay, int queueCapacity) {

    public BatchSettings {
        Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max-batch-size must be >= 1, got " + maxBatchSize);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue-capacity must be >= 1, got " + queueCapacity);
        }
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("max-queue-delay must not be negative, got " + maxQueueDelay);
        }
    }

    /** The settings of {@code model}: its overrides ({@code crossmodal.serving.batching.models."<model>".*}) over the defaults. */
    public static BatchSettings of(ServingLoadConfig.Batching config, String model) {
        return of(config, model, null);
    }

    /**
     * The settings of {@code model}, each field by this precedence: the service's per-model override
     * ({@code crossmodal.serving.batching.models."<model>".*}), else the bundle's serving settings
     * ({@code spec}, may be null), else the service's defaults ({@code crossmodal.serving.batching.*}).
     */
    public static BatchSettings of(ServingLoadConfig.Batching config, String model, ServingSpec spec) {
        if (spec != null) {
            BatchSettings fromBundle = new BatchSettings(
                    spec.maxBatchSize() != null ? spec.maxBatchSize() : config.maxBatchSize(),
                    spec.maxQueueDelay() != null ? spec.maxQueueDelay() : config.maxQueueDelay(),
                    spec.queueCapacity() != null ? spec.queueCapacity() : config.queueCapacity());
            ServingLoadConfig.ModelBatching own = config.models().get(model);
            if (own == null) {
                return fromBundle;
            }
            return new BatchSettings(own.maxBatchSize().orElse(fromBundle.maxBatchSize()),
                    own.maxQueueDelay().orElse(fromBundle.maxQueueDelay()), own.queueCapacity().orElse(fromBundle.queueCapacity()));
        }
        ServingLoadConfig.ModelBatching own = config.models().get(model);
        if (own == null) {
            return new BatchSettings(config.maxBatchSize(), config.maxQueueDelay(), config.queueCapacity());
        }
        return new BatchSettings(own.maxBatchSize().orElse(config.maxBatchSize()),
                own.maxQueueDelay().orElse(config.maxQueueDelay()), own.queueCapacity().orElse(config.queueCapacity()));
    }
}
