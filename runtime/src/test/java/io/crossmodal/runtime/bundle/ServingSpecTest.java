package io.crossmodal.runtime.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-model serving settings travel in the manifest; bundles without them read as before. */
class ServingSpecTest {

    @Test
    void servingSettingsRoundTripThroughTheRegistry(@TempDir Path root) throws Exception {
        Manifest draft = BundleTestSupport.draft();
        ServingSpec decoder = new ServingSpec("g2p", 16, 2.5, 100, Map.of("maxInputLength", 32), Map.of("beamWidth", 6));
        Manifest withServing = new Manifest(draft.formatVersion(), null, 0, draft.family(), null, draft.vocabularies(),
                draft.components(), null, draft.metrics(), draft.dataFingerprint(), draft.trainingConfig(),
                Map.of("decoder", decoder));
        new BundleWriter(root).write("m", withServing, BundleTestSupport.files());
        Bundle b = new ModelRegistry(root).load("m", "latest");
        ServingSpec read = b.manifest().servingFor("decoder");
        assertEquals("g2p", read.component());
        assertEquals(16, read.maxBatchSize());
        assertEquals(Duration.ofNanos(2_500_000), read.maxQueueDelay());
        assertEquals(32, read.limits().get("maxInputLength").intValue());
        assertEquals(6, ((Number) read.decoding().get("beamWidth")).intValue());
        assertSame(ServingSpec.NONE, b.manifest().servingFor("encoder"));
    }

    @Test
    void aManifestWithoutServingSettingsIsWrittenAndReadAsBefore(@TempDir Path root) throws Exception {
        new BundleWriter(root).write("m", BundleTestSupport.draft(), BundleTestSupport.files());
        String json = Files.readString(root.resolve("m").resolve("1").resolve(Manifest.FILE_NAME));
        assertFalse(json.contains("\"serving\""), json);
        assertSame(ServingSpec.NONE, new ModelRegistry(root).load("m", "1").manifest().servingFor("decoder"));
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        assertThrows(IllegalArgumentException.class, () -> new ServingSpec(null, 0, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ServingSpec(null, null, -1.0, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ServingSpec(null, null, null, 0, null, null));
    }
}
