package io.crossmodal.encoder;

import io.crossmodal.serving.common.testing.PythonClientContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Encoder from Python (checks in {@link PythonClientContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderPythonClientTest extends PythonClientContract {
    EncoderPythonClientTest() {
        super(new EncoderSpec());
    }
}
