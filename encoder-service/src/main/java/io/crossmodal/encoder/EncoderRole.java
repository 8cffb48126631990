package io.crossmodal.encoder;

import io.crossmodal.serving.common.ServiceRole;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * What this service is: the {@value #ROLE} role. Which bundle component serves it is the model
 * family's business (the seq2seq family: {@code p2g}, q(y|x); a bundle's serving settings may name another).
 */
public class EncoderRole {

    /** The service role. */
    public static final String ROLE = "encoder";

    @Produces
    @Singleton
    static ServiceRole served() {
        return new ServiceRole(ROLE);
    }
}
