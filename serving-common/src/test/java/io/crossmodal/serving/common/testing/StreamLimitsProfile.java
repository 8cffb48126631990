package io.crossmodal.serving.common.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Small stream caps for {@link StreamHostilityContract}, so each cap is reached with a few requests: a stream
 * holds 4 requests, may send 20, at most 60 streams are open in the service and 50 on one HTTP/2 connection.
 */
public class StreamLimitsProfile implements QuarkusTestProfile {

    public static final int MAX_IN_FLIGHT = 4;
    public static final int MAX_REQUESTS = 20;
    public static final int MAX_OPEN = 60;
    public static final int MAX_STREAMS_PER_CONNECTION = 50;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("crossmodal.serving.stream.max-in-flight", Integer.toString(MAX_IN_FLIGHT),
                "crossmodal.serving.stream.max-requests", Integer.toString(MAX_REQUESTS),
                "crossmodal.serving.stream.max-open", Integer.toString(MAX_OPEN),
                "quarkus.http.limits.max-concurrent-streams", Integer.toString(MAX_STREAMS_PER_CONNECTION));
    }
}
