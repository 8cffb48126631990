package io.crossmodal.trainer.api;

import io.crossmodal.serving.common.GrpcGuardInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The inference services' {@link GrpcGuardInterceptor} on the Trainer API: garbage bytes to any Trainer method
 * answer INVALID_ARGUMENT, not INTERNAL "Half-closed without a request", and status descriptions fit in a
 * header. serving-common's beans are excluded from the trainer's bean discovery (the trainer serves no
 * models), so this subclass is what registers the guard here.
 */
@ApplicationScoped
@GlobalInterceptor
public class TrainerGrpcGuard extends GrpcGuardInterceptor {
}
