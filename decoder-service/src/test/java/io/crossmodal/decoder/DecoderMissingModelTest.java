package io.crossmodal.decoder;

import io.crossmodal.serving.common.testing.MissingModelContract;
import io.crossmodal.serving.common.testing.MissingModelProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Decoder with a configured model missing from the registry (checks in {@link MissingModelContract}). */
@QuarkusTest
@TestProfile(MissingModelProfile.class)
class DecoderMissingModelTest extends MissingModelContract {
    DecoderMissingModelTest() {
        super(new DecoderSpec());
    }
}
