package io.crossmodal.trainer.export;

/** {@link OnnxParityTest} for the location-aware (monotonic-favouring) attention variant. */
class LocationOnnxParityTest extends OnnxParityTest {
    @Override
    boolean locationAttention() {
        return true;
    }
}
