package io.crossmodal.serving.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the inference services take load ({@code crossmodal.serving.*} keys, next to the request
 * limits of {@link ServingConfig.Serving}): dynamic batching per model, bulk streams, and hot reload
 * of each model's default version. Durations take {@code 2ms}, {@code 5s}, {@code 1m} or ISO-8601
 * ({@code PT5S}).
 */
@ConfigMapping(prefix = "crossmodal.serving")
public interface ServingLoadConfig {

    /**
     * How often the registry is polled for the default version (alias {@code production}, else the
     * latest version) of every model the service follows; a moved default is loaded, warmed and
     * switched to without dropping requests. {@code 0} turns following off: default requests then
     * resolve the registry on every request (a moved alias loads on the next request, cold).
     */
    @WithDefault("5s")
    Duration reloadInterval();

    Batching batching();

    Stream stream();

    /** Dynamic batching: concurrent requests for one model version with compatible search options run as one batch. */
    interface Batching {
        /** Most requests in one batch; 1 turns batching off (every request runs alone, still queued). */
        @WithDefault("32")
        int maxBatchSize();

        /** How long the oldest waiting request waits for others to join its batch; 0 = run whatever is queued at once. */
        @WithDefault("0ms")
        Duration maxQueueDelay();

        /** Requests waiting per model (not counting the batch running); beyond, requests get RESOURCE_EXHAUSTED at once. */
        @WithDefault("256")
        int queueCapacity();

        /**
         * Per-model overrides, {@code crossmodal.serving.batching.models."<model>".max-batch-size} etc.;
         * unset keys take the values above.
         */
        Map<String, ModelBatching> models();
    }

    /** Batching settings of one model; unset = the service-wide value. */
    interface ModelBatching {
        OptionalInt maxBatchSize();

        Optional<Duration> maxQueueDelay();

        OptionalInt queueCapacity();
    }

    /** The bulk streaming RPCs (EncodeStream, DecodeStream). */
    interface Stream {
        /**
         * Requests of one stream the server holds at once (queued, running, or answered but not yet
         * sent because the client reads slowly); it reads more from the client only as responses go out.
         */
        @WithDefault("64")
        int maxInFlight();
    }
}
