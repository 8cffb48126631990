package io.crossmodal.encoder;

import io.crossmodal.serving.common.ServedComponent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** What this service serves: the bundle component {@value #COMPONENT} (phonemes -> graphemes, q(y|x)). */
public class EncoderComponent {

    /** The bundle component the encoder runs. */
    public static final String COMPONENT = "p2g";

    @Produces
    @Singleton
    static ServedComponent served() {
        return new ServedComponent("encoder", COMPONENT);
    }
}
