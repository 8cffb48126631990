package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which requests may run on the event loop: the cost bound and the measured-time bound. */
class EventLoopBoundTest {

    @Test
    void aModelWithoutAMeasuredLoneRunNeverQualifies() {
        EventLoopBound bound = new EventLoopBound(256, Duration.ofMillis(1));
        assertFalse(bound.allows("m", 10));
        assertEquals(0, bound.nanosPerUnit("m"));
    }

    @Test
    void aRequestQualifiesWithinBothTheCostAndThePredictedTime() {
        EventLoopBound bound = new EventLoopBound(256, Duration.ofMillis(1));
        bound.recordLoneRun("m", 100, 200_000); // 2 us per work unit
        assertEquals(2_000, bound.nanosPerUnit("m"), 1e-9);
        assertTrue(bound.allows("m", 256), "256 units x 2 us = 0.51 ms");
        assertFalse(bound.allows("m", 257), "over the cost bound");
        assertFalse(bound.allows("m", 0), "a family that does not price its requests");
        assertFalse(bound.allows("other", 10), "measured per model");
    }

    @Test
    void aSlowModelIsKeptOffTheEventLoopByItsMeasuredTime() {
        EventLoopBound bound = new EventLoopBound(256, Duration.ofMillis(1));
        bound.recordLoneRun("big", 100, 1_000_000); // 10 us per work unit
        assertTrue(bound.allows("big", 100), "100 x 10 us = 1 ms");
        assertFalse(bound.allows("big", 101), "101 x 10 us > 1 ms, although within the cost bound");
    }

    @Test
    void theAverageFollowsTheModelsLoneRuns() {
        EventLoopBound bound = new EventLoopBound(256, Duration.ofMillis(1));
        bound.recordLoneRun("m", 100, 100_000); // 1 us
        for (int i = 0; i < 50; i++) {
            bound.recordLoneRun("m", 100, 2_000_000); // 20 us: the model got slower (a bigger version, a busy machine)
        }
        assertEquals(20_000, bound.nanosPerUnit("m"), 1, "converged on the new speed");
        assertFalse(bound.allows("m", 60), "60 x 20 us > 1 ms");
        assertTrue(bound.allows("m", 50));
    }

    @Test
    void zeroBoundsKeepEveryRequestOffTheEventLoopAndNegativeOnesAreRefused() {
        EventLoopBound none = new EventLoopBound(0, Duration.ofMillis(1));
        none.recordLoneRun("m", 10, 1_000);
        assertFalse(none.allows("m", 1));
        EventLoopBound noTime = new EventLoopBound(256, Duration.ZERO);
        noTime.recordLoneRun("m", 10, 1_000);
        assertFalse(noTime.allows("m", 1));
        assertThrows(IllegalArgumentException.class, () -> new EventLoopBound(-1, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new EventLoopBound(1, Duration.ofMillis(-1)));
    }
}
