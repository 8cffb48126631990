package io.crossmodal.decoder;

import io.crossmodal.serving.common.ServedComponent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** What this service serves: the bundle component {@value #COMPONENT} (graphemes -> phonemes, p(x|y)). */
public class DecoderComponent {

    /** The bundle component the decoder runs. */
    public static final String COMPONENT = "g2p";

    @Produces
    @Singleton
    static ServedComponent served() {
        return new ServedComponent("decoder", COMPONENT);
    }
}
