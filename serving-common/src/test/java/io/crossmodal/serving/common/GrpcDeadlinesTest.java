package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.serving.common.batching.BatchSettings;
import io.crossmodal.serving.common.testing.BatchingConfigs;
import io.crossmodal.serving.common.batching.Batcher;
import io.grpc.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** grpc-timeout parsing, the deadline lookup, and per-model batching settings. */
class GrpcDeadlinesTest {

    @Test
    void grpcTimeoutHeadersParse() {
        assertEquals(TimeUnit.SECONDS.toNanos(5), GrpcDeadlines.parseTimeoutNanos("5S"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), GrpcDeadlines.parseTimeoutNanos("250m"));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(99999999L), GrpcDeadlines.parseTimeoutNanos("99999999u"));
        assertEquals(7L, GrpcDeadlines.parseTimeoutNanos("7n"));
        assertEquals(TimeUnit.HOURS.toNanos(2), GrpcDeadlines.parseTimeoutNanos("2H"));
        assertEquals(TimeUnit.MINUTES.toNanos(3), GrpcDeadlines.parseTimeoutNanos("3M"));
        assertNull(GrpcDeadlines.parseTimeoutNanos(null));
        assertNull(GrpcDeadlines.parseTimeoutNanos("5"));
        assertNull(GrpcDeadlines.parseTimeoutNanos("123456789S"));
        assertNull(GrpcDeadlines.parseTimeoutNanos("-5S"));
    }

    @Test
    void theDeadlineComesFromTheCallContext() throws Exception {
        assertEquals(Batcher.NO_DEADLINE, GrpcDeadlines.deadlineNanos());
        long d = System.nanoTime() + 12345;
        assertEquals(d, (long) Context.current().withValue(GrpcDeadlines.DEADLINE, d).call(GrpcDeadlines::deadlineNanos));
        // bracketed by the clock readings around the call, not a tolerance window on a loaded machine
        long tenSeconds = TimeUnit.SECONDS.toNanos(10);
        long before = System.nanoTime();
        long viaGrpc = Context.current().withDeadlineAfter(10, TimeUnit.SECONDS, java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor()).call(GrpcDeadlines::deadlineNanos);
        long after = System.nanoTime();
        // (deadlineNanos reads the clock itself: the lower bound allows for that reading too)
        assertTrue(viaGrpc >= before + tenSeconds - (after - before) && viaGrpc <= after + tenSeconds,
                (viaGrpc - before) + " ns after the call began, " + (viaGrpc - after) + " ns after it ended");
    }

    @Test
    void perModelBatchingOverridesTheDefaults() {
        ServingLoadConfig.ModelBatching small = BatchingConfigs.model(OptionalInt.of(4), Optional.empty(), OptionalInt.of(8));
        ServingLoadConfig.Batching config = BatchingConfigs.service(32, Duration.ofMillis(2), 256, Map.of("small", small));
        assertEquals(new BatchSettings(32, Duration.ofMillis(2), 256), BatchSettings.of(config, "big"));
        assertEquals(new BatchSettings(4, Duration.ofMillis(2), 8), BatchSettings.of(config, "small"));
    }
}
