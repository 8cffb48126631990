package io.crossmodal.encoder;

import io.crossmodal.serving.common.testing.MissingModelContract;
import io.crossmodal.serving.common.testing.MissingModelProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Encoder with a configured model missing from the registry (checks in {@link MissingModelContract}). */
@QuarkusTest
@TestProfile(MissingModelProfile.class)
class EncoderMissingModelTest extends MissingModelContract {
    EncoderMissingModelTest() {
        super(new EncoderSpec());
    }
}
