package io.crossmodal.serving.common.batching;

import io.crossmodal.serving.common.ServingLoadConfig;
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
        ServingLoadConfig.ModelBatching own = config.models().get(model);
        if (own == null) {
            return new BatchSettings(config.maxBatchSize(), config.maxQueueDelay(), config.queueCapacity());
        }
        return new BatchSettings(own.maxBatchSize().orElse(config.maxBatchSize()),
                own.maxQueueDelay().orElse(config.maxQueueDelay()), own.queueCapacity().orElse(config.queueCapacity()));
    }
}
