package io.crossmodal.decoder;

import io.crossmodal.serving.common.testing.HttpEndpointsContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Decoder's HTTP endpoints, health and reflection (the checks live in {@link HttpEndpointsContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderHttpEndpointsTest extends HttpEndpointsContract {
    DecoderHttpEndpointsTest() {
        super(new DecoderSpec());
    }
}
