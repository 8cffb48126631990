package io.crossmodal.decoder;

import io.crossmodal.serving.common.testing.BrokenGraphContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Decoder given bundles with valid checksums over broken ONNX graphs (checks in {@link BrokenGraphContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderBrokenGraphTest extends BrokenGraphContract {
    DecoderBrokenGraphTest() {
        super(new DecoderSpec());
    }
}
