package io.crossmodal.decoder;

import io.crossmodal.serving.common.testing.PythonClientContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Decoder from Python (checks in {@link PythonClientContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderPythonClientTest extends PythonClientContract {
    DecoderPythonClientTest() {
        super(new DecoderSpec());
    }
}
