package io.crossmodal.serving.common;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every model of {@code crossmodal.models} loaded; reports the component, registry, provider
 * and loaded models, under the name {@code crossmodal-<service>-models} ({@link ServiceRole#readinessName()}).
 */
@Readiness
@ApplicationScoped
public class ModelsReadinessCheck implements HealthCheck {

    private final ServedModels models;

    public ModelsReadinessCheck(ServedModels models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, String> failures = models.preloadFailures();
        HealthCheckResponseBuilder b = HealthCheckResponse.named(models.served().readinessName())
                .status(failures.isEmpty())
                .withData("role", models.served().service())
                .withData("registry", models.registry().root().toString())
                .withData("executionProvider", models.executionProvider())
                .withData("loaded", models.cache().loaded().toString())
                .withData("following", models.cache().followed().toString());
        models.reloadStatus().forEach((model, r) -> {
            if (r.outcome() == io.crossmodal.runtime.cache.ModelCache.Outcome.REJECTED
                    || r.outcome() == io.crossmodal.runtime.cache.ModelCache.Outcome.UNRESOLVABLE) {
                b.withData("reload:" + model, r.outcome() + (r.to() == null ? "" : " " + r.to()) + ": " + r.reason());
            }
        });
        failures.forEach((model, reason) -> b.withData("failed:" + model, reason));
        return b.build();
    }
}
