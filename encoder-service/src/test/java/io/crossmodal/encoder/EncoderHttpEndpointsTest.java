package io.crossmodal.encoder;

import io.crossmodal.serving.common.testing.HttpEndpointsContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Encoder's HTTP endpoints, health and reflection (the checks live in {@link HttpEndpointsContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderHttpEndpointsTest extends HttpEndpointsContract {
    EncoderHttpEndpointsTest() {
        super(new EncoderSpec());
    }
}
