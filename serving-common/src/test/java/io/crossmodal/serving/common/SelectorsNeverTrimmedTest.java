package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.cache.ModelSelector;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version or alias with spaces is taken as sent (common.proto's ModelRef contract): a spaced version is
 * INVALID_ARGUMENT at the gRPC boundary, a spaced alias is simply not an alias (NOT_FOUND underneath), and
 * neither is ever trimmed into a valid one; only configuration text is trimmed.
 */
class SelectorsNeverTrimmedTest {

    @TempDir
    Path root;

    static StatusRuntimeException invalid(ModelRef ref) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ProtoModels.selector(true, ref));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        return e;
    }

    @Test
    void theGrpcBoundaryRejectsSpacedVersionsAndAliases() {
        for (String v : List.of(" 1", "1 ", "\t1", "1\n")) {
            assertTrue(invalid(ModelRef.newBuilder().setName("m").setVersion(v).build()).getStatus().getDescription()
                    .contains("model.version"));
        }
        for (String a : List.of(" production", "production ", "\tproduction")) {
            assertEquals(a, ProtoModels.selector(true, ModelRef.newBuilder().setName("m").setAlias(a).build()).value(),
                    "the alias is passed on as sent, not trimmed");
        }
        assertEquals(ModelSelector.version("m", "1"), ProtoModels.selector(true, ModelRef.newBuilder().setName("m").setVersion("1").build()));
        assertEquals(ModelSelector.alias("m", "production"),
                ProtoModels.selector(true, ModelRef.newBuilder().setName("m").setAlias("production").build()));
    }

    @Test
    void underneathNothingIsTrimmedEither() {
        new BundleWriter(root).write("m", Manifest.builder("test").build(), Map.of("x", FileContent.of(new byte[] {1})));
        ModelRegistry registry = new ModelRegistry(root);
        assertEquals(1, registry.resolve("m", "1"));
        assertThrows(ModelNotFoundException.class, () -> registry.resolve("m", " 1"));
        assertThrows(ModelNotFoundException.class, () -> registry.resolve("m", "latest "));
        registry.setAlias("m", "production", 1);
        assertEquals(1, registry.resolve("m", "production"));
        assertThrows(ModelNotFoundException.class, () -> registry.resolve("m", " production"));
        assertEquals(" 1", ModelSelector.version("m", " 1").value(), "a selector keeps what it was given");
    }

    @Test
    void configurationEntriesAreTrimmedAsText() {
        assertEquals(ModelSelector.version("tiny", "1"), ServedModels.parseSelector(" tiny / 1 "));
        assertEquals(ModelSelector.alias("tiny", "candidate"), ServedModels.parseSelector("tiny@ candidate"));
        assertEquals(ModelSelector.defaultOf("tiny"), ServedModels.parseSelector(" tiny"));
    }
}
