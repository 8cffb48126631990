package io.crossmodal.serving.common;

import java.util.Objects;

/**
 * What one inference service serves: its short name ({@code encoder}, {@code decoder}; used in logs and
 * in the readiness check's name {@code crossmodal-<service>-models}) and the bundle component it runs
 * ({@code p2g}, {@code g2p}). Each service produces exactly one such bean, which parameterises the
 * shared {@link ServedModels} and {@link ModelsReadinessCheck}.
 *
 * @param service the service's short name
 * @param component the bundle component (see {@code io.crossmodal.runtime.bundle.ComponentSpecs})
 */
public record ServedComponent(String service, String component) {

    public ServedComponent {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(component, "component");
        if (service.isBlank() || component.isBlank()) {
            throw new IllegalArgumentException("service and component must not be blank");
        }
    }

    /** The readiness check's name: {@code crossmodal-<service>-models}. */
    public String readinessName() {
        return "crossmodal-" + service + "-models";
    }
}
