package io.crossmodal.serving.common;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.cache.ModelSelector;
import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** The shared pieces that need no running service (the services' tests cover the rest end to end). */
class ServingCommonTest {

    @Test
    void serviceRoleNamesTheReadinessCheck() {
        assertEquals("crossmodal-encoder-models", new ServiceRole("encoder").readinessName());
        assertThrows(IllegalArgumentException.class, () -> new ServiceRole(" "));
        assertThrows(NullPointerException.class, () -> new ServiceRole(null));
    }

    @Test
    void preloadSpecsParse() {
        assertEquals(ModelSelector.defaultOf("cmudict"), ServedModels.parseSelector("cmudict"));
        assertEquals(ModelSelector.version("cmudict", "3"), ServedModels.parseSelector("cmudict/3"));
        assertEquals(ModelSelector.alias("cmudict", "candidate"), ServedModels.parseSelector("cmudict@candidate"));
    }

    @Test
    void modelRefNeedsAName() {
        fails(Status.Code.INVALID_ARGUMENT, () -> ProtoModels.selector(false, ModelRef.getDefaultInstance()));
        fails(Status.Code.INVALID_ARGUMENT, () -> ProtoModels.selector(true, ModelRef.newBuilder().setName(" ").build()));
        assertEquals(ModelSelector.alias("m", "production"),
                ProtoModels.selector(true, ModelRef.newBuilder().setName("m").setAlias("production").build()));
    }

    @Test
    void failuresMapToStatuses() {
        StatusRuntimeException invalid = GrpcErrors.invalid("bad");
        assertSame(invalid, GrpcErrors.toStatus(invalid, "r", "Encode"));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                GrpcErrors.toStatus(new InvalidInputException("x"), "r", "Encode").getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND,
                GrpcErrors.toStatus(new ModelNotFoundException("no m"), "r", "Encode").getStatus().getCode());
        StatusRuntimeException internal = GrpcErrors.toStatus(new IllegalStateException("boom"), "r", "Decode");
        assertEquals(Status.Code.INTERNAL, internal.getStatus().getCode());
        assertEquals("Decode failed: IllegalStateException: boom", internal.getStatus().getDescription());
    }
}
