package io.crossmodal.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle events on, but the broker's host name does not resolve (the Kafka client cannot even be
 * built): the service still starts, serves and is ready (docs/EVENTS.md). The services share the
 * configuration, so one of them is tested.
 */
@QuarkusTest
@TestProfile(DecoderUnresolvableBrokerTest.UnresolvableBroker.class)
@WithTestResource(TinyRegistryResource.class)
class DecoderUnresolvableBrokerTest {

    public static class UnresolvableBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "no-such-host.invalid:9092",
                    "mp.messaging.incoming.model-lifecycle.enabled", "true");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void servesAndIsReadyWithoutABroker() throws Exception {
        ManagedChannel channel = GrpcTesting.channel(base);
        try {
            assertEquals("tiny", new DecoderSpec().infer(channel, ModelRef.newBuilder().setName("tiny"), List.of("a")));
        } finally {
            GrpcTesting.close(channel);
        }
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.toURI().resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().replace(" ", "").contains("\"status\":\"UP\""), ready.body());
    }
}
