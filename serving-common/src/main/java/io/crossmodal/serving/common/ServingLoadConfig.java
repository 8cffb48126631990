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

    Compute compute();

    Loads loads();

    /** How much compute the service gives one model and one request. */
    interface Compute {
        /**
         * Batch threads per model: {@code auto} (from the cores, {@link ServingThreads}) or a number. With more
         * than one, a second batch of the same model runs while the first does.
         */
        @WithDefault("auto")
        String batchWorkers();

        /**
         * The most compute one request may ask for, in its model family's work units (seq2seq: hypotheses x
         * output steps, i.e. beam width or number of samples x max_length; greedy counts 1 hypothesis). A request
         * above it is INVALID_ARGUMENT saying its cost and this budget. 0 = no budget.
         */
        @WithDefault("4096")
        long maxRequestCost();

        /**
         * Requests costing more than this run in their model's separate heavy lane (one worker), so they never
         * hold up the model's cheap requests. 0 = no heavy lane.
         */
        @WithDefault("1024")
        long heavyRequestCost();
    }

    /** Bounds on the model loads that requests start (a version not loaded yet, e.g. an old one); preloads and hot reloads are not counted. */
    interface Loads {
        /** Loads at once; a request needing one more waits up to {@code max-wait} for a slot, then is RESOURCE_EXHAUSTED. */
        @WithDefault("2")
        int maxConcurrent();

        /** How long a load waits for a slot. */
        @WithDefault("30s")
        Duration maxWait();

        /** Loads per minute (a token bucket refilled evenly); beyond, RESOURCE_EXHAUSTED at once. */
        @WithDefault("30")
        int maxPerMinute();

        /**
         * How long a version whose load failed (corrupt or unservable bundle) answers that failure without
         * being loaded again. 0 = retry on every request.
         */
        @WithDefault("10s")
        Duration failureMemory();
    }

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
         * A unary request that finds its model idle (nothing queued, fewer batches running than batch workers, max
         * queue delay 0) runs at once on the gRPC worker thread that admitted it, instead of being handed to a batch
         * thread; false = always hand over. Streams and heavy requests always queue. Measured: docs/BENCHMARKS.md 4.3.
         */
        @WithDefault("true")
        boolean inlineWhenIdle();

        /**
         * With {@code inline-when-idle}: a cheap unary request (below) that finds its model idle runs at once on the
         * gRPC event loop that received it, with no hop to a worker thread at all; every other unary request is
         * admitted on the event loop and queued when its model is loaded and it needs no registry read (a followed
         * default), else handed to a worker thread as before. false = unary handlers work as {@code @Blocking} ones
         * did: every unary request is admitted on a worker thread.
         */
        @WithDefault("true")
        boolean eventLoopWhenIdle();

        /**
         * Cheap enough for the event loop: at most this many of the family's work units (seq2seq: hypotheses x
         * max_length; families that do not price their requests never qualify). 0 = none run there.
         */
        @WithDefault("256")
        long eventLoopMaxCost();

        /**
         * ...and predicted to run within this: the model's measured time per work unit of its lone runs (a
         * moving average) x the request's cost. A model's first lone run is measured on a batch thread.
         */
        @WithDefault("2ms")
        Duration eventLoopMaxRun();

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

        /**
         * Requests one stream may send; the server answers the first this many, then ends the stream with
         * RESOURCE_EXHAUSTED (open a new stream for more). 0 = no limit.
         */
        @WithDefault("100000")
        long maxRequests();

        /**
         * Streams open at once in the whole service (all connections); one more is refused with RESOURCE_EXHAUSTED.
         * Streams per connection are capped by HTTP/2 ({@code quarkus.http.limits.max-concurrent-streams}).
         */
        @WithDefault("1000")
        int maxOpen();
    }
}
