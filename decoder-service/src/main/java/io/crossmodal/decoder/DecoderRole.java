package io.crossmodal.decoder;

import io.crossmodal.serving.common.ServiceRole;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * What this service is: the {@value #ROLE} role. Which bundle component serves it is the model
 * family's business (the seq2seq family: {@code g2p}, p(x|y); a bundle's serving settings may name another).
 */
public class DecoderRole {

    /** The service role. */
    public static final String ROLE = "decoder";

    @Produces
    @Singleton
    static ServiceRole served() {
        return new ServiceRole(ROLE);
    }
}
