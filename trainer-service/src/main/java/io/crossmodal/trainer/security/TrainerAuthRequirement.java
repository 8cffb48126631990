package io.crossmodal.trainer.security;

import io.crossmodal.security.AuthConfig;
import io.crossmodal.security.AuthPolicy;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Trainer API trains and promotes models: its authentication cannot be switched off the way the inference
 * services' can. {@code crossmodal.auth.enabled=false} (env {@code CROSSMODAL_AUTH_ENABLED}, meant for the
 * inference services and shared environments) stops the trainer at startup, except in the loopback-only
 * {@code local} profile ({@code crossmodal.auth.allow-unauthenticated} on a loopback host), where nothing is
 * authenticated anyway.
 */
@Startup
@ApplicationScoped
public class TrainerAuthRequirement {

    public TrainerAuthRequirement(AuthConfig auth,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host) {
        check(auth.enabled(), auth.allowUnauthenticated(), host);
    }

    /** Throws when authentication is off outside the loopback-only local profile. */
    static void check(boolean enabled, boolean allowUnauthenticated, String host) {
        if (!enabled && !(allowUnauthenticated && AuthPolicy.isLoopback(host))) {
            throw new IllegalStateException("the Trainer API always requires authentication: crossmodal.auth.enabled=false"
                    + " (CROSSMODAL_AUTH_ENABLED) is refused on quarkus.http.host=" + host + "; configure tokens"
                    + " (CROSSMODAL_AUTH_TOKEN_FILE) or client certificates, or use the loopback-only local profile"
                    + " (-Dquarkus.profile=local). See docs/SECURITY.md.");
        }
    }
}
