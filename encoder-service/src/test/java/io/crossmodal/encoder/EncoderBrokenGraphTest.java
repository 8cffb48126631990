package io.crossmodal.encoder;

import io.crossmodal.serving.common.testing.BrokenGraphContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Encoder given bundles with valid checksums over broken ONNX graphs (checks in {@link BrokenGraphContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderBrokenGraphTest extends BrokenGraphContract {
    EncoderBrokenGraphTest() {
        super(new EncoderSpec());
    }
}
