package io.crossmodal.trainer.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness reflects the lifecycle relay: a relay whose polling stopped (an error escaped it) or stalled makes
 * the trainer not ready, and is restarted; the next probe sees it running again. A relay that is off, or that
 * is running while the broker is down (it retries, losing nothing), is ready.
 */
@Readiness
@ApplicationScoped
public class RelayReadinessCheck implements HealthCheck {

    @Inject
    LifecycleRelay relay;

    @Override
    public HealthCheckResponse call() {
        if (relay.alive()) {
            return HealthCheckResponse.named("lifecycle-relay").up().withData("published", relay.published()).build();
        }
        relay.restart();
        return HealthCheckResponse.named("lifecycle-relay").down()
                .withData("reason", "the relay had stopped polling the event log; restarted").build();
    }
}
