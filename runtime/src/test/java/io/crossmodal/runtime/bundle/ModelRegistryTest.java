package io.crossmodal.runtime.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    @TempDir
    Path root;
    ModelRegistry reg;

    @BeforeEach
    void setUp() {
        BundleWriter w = new BundleWriter(root);
        for (int i = 0; i < 3; i++) {
            w.write("cmudict", BundleTestSupport.draft(), BundleTestSupport.files());
        }
        w.write("other", BundleTestSupport.draft(), BundleTestSupport.files());
        reg = new ModelRegistry(root);
    }

    @Test
    void listsModelsAndVersionsIgnoringDotDirectories() throws Exception {
        Files.createDirectories(root.resolve("cmudict/.staging-leftover/x"));
        Files.createDirectories(root.resolve(".hidden/1"));
        Files.createDirectories(root.resolve("empty"));
        assertEquals(List.of("cmudict", "other"), reg.listModels());
        assertEquals(List.of(1, 2, 3), reg.listVersions("cmudict"));
    }

    @Test
    void resolvesLatestVersionsAndAliases() {
        assertEquals(3, reg.resolve("cmudict", "latest"));
        assertEquals(2, reg.resolve("cmudict", "2"));
        reg.setAlias("cmudict", "production", 2);
        reg.setAlias("cmudict", "candidate", 3);
        assertEquals(2, reg.resolve("cmudict", "production"));
        reg.setAlias("cmudict", "production", 1); // atomic replace
        assertEquals(1, reg.resolve("cmudict", "production"));
        assertEquals(Map.of("candidate", 3, "production", 1), reg.aliases("cmudict"));
        assertEquals(1, reg.load("cmudict", "production").version());
        assertEquals(3, reg.load("cmudict", "latest").version());
    }

    @Test
    void unknownModelsVersionsAndAliasesAreReportedClearly() throws Exception {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> reg.resolve("nope", "latest"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("cmudict"), e.getMessage());
        e = assertThrows(ModelNotFoundException.class, () -> reg.resolve("cmudict", "9"));
        assertTrue(e.getMessage().contains("no version 9"), e.getMessage());
        e = assertThrows(ModelNotFoundException.class, () -> reg.resolve("cmudict", "staging"));
        assertTrue(e.getMessage().contains("'staging'"), e.getMessage());
        assertThrows(ModelNotFoundException.class, () -> reg.load("../etc", "latest"));
        assertThrows(ModelNotFoundException.class, () -> reg.setAlias("cmudict", "production", 42));
        assertThrows(IllegalArgumentException.class, () -> reg.setAlias("cmudict", "latest", 1));
        // dangling alias (its version was removed by hand)
        Files.createDirectories(root.resolve("other/aliases"));
        Files.writeString(root.resolve("other/aliases/production"), "5\n");
        e = assertThrows(ModelNotFoundException.class, () -> reg.resolve("other", "production"));
        assertTrue(e.getMessage().contains("points to version 5"), e.getMessage());
    }

    @Test
    void loadVerifiesChecksums() throws Exception {
        Bundle ok = reg.load("cmudict", "2");
        assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "AA", "B"), ok.vocabulary("phonemes"));
        assertEquals("decoder-bytes", new String(ok.readFile("g2p.decoder_step.onnx")));
        Files.write(root.resolve("cmudict/2/g2p.encoder.onnx"), "tampered".getBytes());
        BundleCorruptException e = assertThrows(BundleCorruptException.class, () -> reg.load("cmudict", "2"));
        assertTrue(e.getMessage().contains("checksum mismatch for g2p.encoder.onnx"), e.getMessage());
    }

    @Test
    void loadDetectsMissingFilesAndBadManifests() throws Exception {
        Files.delete(root.resolve("cmudict/1/g2p.decoder_step.onnx"));
        BundleCorruptException e = assertThrows(BundleCorruptException.class, () -> reg.load("cmudict", "1"));
        assertTrue(e.getMessage().contains("g2p.decoder_step.onnx is missing"), e.getMessage());

        Files.writeString(root.resolve("cmudict/2/manifest.json"), "{ not json");
        e = assertThrows(BundleCorruptException.class, () -> reg.load("cmudict", "2"));
        assertTrue(e.getMessage().contains("unreadable manifest"), e.getMessage());

        Files.delete(root.resolve("cmudict/3/manifest.json"));
        e = assertThrows(BundleCorruptException.class, () -> reg.load("cmudict", "latest"));
        assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
    }

    @Test
    void loadRejectsGraphNotCoveredByChecksums() throws Exception {
        Path mf = root.resolve("other/1/manifest.json");
        Manifest m = ManifestJson.read(Files.readAllBytes(mf));
        Map<String, String> files = new java.util.TreeMap<>(m.files());
        files.remove("g2p.encoder.onnx");
        Manifest edited = new Manifest(m.formatVersion(), m.name(), m.version(), m.family(), m.createdAt(),
                m.vocabularies(), m.components(), files, m.metrics(), m.dataFingerprint(), m.trainingConfig());
        Files.write(mf, ManifestJson.write(edited));
        BundleCorruptException e = assertThrows(BundleCorruptException.class, () -> reg.load("other", "1"));
        assertTrue(e.getMessage().contains("not a checksummed file"), e.getMessage());
    }
}
