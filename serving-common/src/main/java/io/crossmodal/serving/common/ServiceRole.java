package io.crossmodal.serving.common;

import java.util.Objects;

/**
 * What one inference service is: its role ({@code encoder}, {@code decoder}), used in logs, in the
 * readiness check's name {@code crossmodal-<service>-models}, and by the model families to pick the
 * bundle component that serves the role ({@link io.crossmodal.runtime.family.ServingContext#role()}).
 * Each service produces exactly one such bean, which parameterises the shared {@link ServedModels}
 * and {@link ModelsReadinessCheck}.
 *
 * @param service the service's role
 */
public record ServiceRole(String service) {

    public ServiceRole {
        Objects.requireNonNull(service, "service");
        if (service.isBlank()) {
            throw new IllegalArgumentException("service must not be blank");
        }
    }

    /** The readiness check's name: {@code crossmodal-<service>-models}. */
    public String readinessName() {
        return "crossmodal-" + service + "-models";
    }
}
