package io.crossmodal.runtime.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleWriterTest {

    @TempDir
    Path root;

    @Test
    void writesVersionedBundleWithChecksumsAndManifest() throws Exception {
        BundleWriter w = new BundleWriter(root);
        Bundle b1 = w.write("cmudict", BundleTestSupport.draft(), BundleTestSupport.files());
        Bundle b2 = w.write("cmudict", BundleTestSupport.draft(), BundleTestSupport.files());
        assertEquals(1, b1.version());
        assertEquals(2, b2.version());
        assertEquals(root.resolve("cmudict").resolve("2"), b2.directory());
        assertEquals(List.of("1", "1/g2p.decoder_step.onnx", "1/g2p.encoder.onnx", "1/manifest.json",
                "2", "2/g2p.decoder_step.onnx", "2/g2p.encoder.onnx", "2/manifest.json"),
                BundleTestSupport.tree(root.resolve("cmudict")));
        Manifest m = ManifestJson.read(Files.readAllBytes(b1.directory().resolve("manifest.json")));
        assertEquals("cmudict", m.name());
        assertEquals(1, m.version());
        assertEquals(Manifest.FORMAT_VERSION, m.formatVersion());
        assertEquals(Files2.sha256(b1.directory().resolve("g2p.encoder.onnx")), m.files().get("g2p.encoder.onnx"));
        assertEquals(2, m.files().size());
        assertEquals(0.125, m.metrics().get("per"));
        assertEquals("phonemes", m.component("g2p").targetVocabulary());
        assertEquals(List.of("B", "T"), m.component("g2p").graph("encoder").inputs().get(0).shape());
        assertTrue(m.createdAt() != null && !m.createdAt().isEmpty());
    }

    @Test
    void explicitVersionIsUsed() {
        Bundle b = new BundleWriter(root).write("m", OptionalInt.of(7), BundleTestSupport.draft(), BundleTestSupport.files());
        assertEquals(7, b.version());
        assertEquals(8, new BundleWriter(root).write("m", BundleTestSupport.draft(), BundleTestSupport.files()).version());
    }

    @Test
    void failureMidWriteLeavesNothingVisible() throws Exception {
        Map<String, FileContent> files = new LinkedHashMap<>(BundleTestSupport.files());
        files.put("g2p.decoder_step.onnx", out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        });
        BundleWriter w = new BundleWriter(root);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> w.write("cmudict", BundleTestSupport.draft(), files));
        assertTrue(e.getMessage().contains("disk full"));
        assertEquals(List.of(), BundleTestSupport.tree(root.resolve("cmudict")));
        ModelRegistry reg = new ModelRegistry(root);
        assertEquals(List.of(), reg.listModels());
        assertThrows(ModelNotFoundException.class, () -> reg.resolve("cmudict", "latest"));
    }

    @Test
    void lateFailureWhileWritingManifestAlsoCleansUp() throws Exception {
        new BundleWriter(root).write("cmudict", BundleTestSupport.draft(), BundleTestSupport.files());
        // a metric value Jackson cannot serialise fails after all files are written
        Manifest bad = Manifest.builder("x").metric("oops", new Object()).build();
        assertThrows(RuntimeException.class, () -> new BundleWriter(root).write("cmudict", bad, Map.of()));
        assertEquals(List.of("1", "1/g2p.decoder_step.onnx", "1/g2p.encoder.onnx", "1/manifest.json"),
                BundleTestSupport.tree(root.resolve("cmudict")));
    }

    @Test
    void existingVersionIsNotOverwritten() throws Exception {
        BundleWriter w = new BundleWriter(root);
        w.write("cmudict", OptionalInt.of(1), BundleTestSupport.draft(), BundleTestSupport.files());
        byte[] before = Files.readAllBytes(root.resolve("cmudict/1/manifest.json"));
        assertThrows(UncheckedIOException.class,
                () -> w.write("cmudict", OptionalInt.of(1), BundleTestSupport.draft(), BundleTestSupport.files()));
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(root.resolve("cmudict/1/manifest.json"))));
        assertEquals(4, BundleTestSupport.tree(root.resolve("cmudict")).size());
    }

    @Test
    void rejectsMissingGraphFilesAndUnsafeNames() {
        BundleWriter w = new BundleWriter(root);
        Map<String, FileContent> missing = new LinkedHashMap<>(BundleTestSupport.files());
        missing.remove("g2p.encoder.onnx");
        assertThrows(IllegalArgumentException.class, () -> w.write("cmudict", BundleTestSupport.draft(), missing));
        assertThrows(IllegalArgumentException.class, () -> w.write("../evil", BundleTestSupport.draft(), BundleTestSupport.files()));
        assertThrows(IllegalArgumentException.class, () -> w.write(".hidden", BundleTestSupport.draft(), BundleTestSupport.files()));
        Map<String, FileContent> traversal = new LinkedHashMap<>(BundleTestSupport.files());
        traversal.put("../x", FileContent.of(new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> w.write("cmudict", BundleTestSupport.draft(), traversal));
        assertEquals(List.of(), new ModelRegistry(root).listModels());
    }

    @Test
    void parallelWritersNeverShareOrLoseAVersion() throws Exception {
        int threads = 12;
        int each = 5;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<List<Integer>>> futures = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                go.await();
                List<Integer> got = new java.util.ArrayList<>();
                for (int i = 0; i < each; i++) {
                    got.add(new BundleWriter(root).write("cmudict", BundleTestSupport.draft(), BundleTestSupport.files()).version());
                }
                return got;
            }));
        }
        go.countDown();
        java.util.Set<Integer> all = new java.util.HashSet<>();
        for (java.util.concurrent.Future<List<Integer>> f : futures) {
            all.addAll(f.get()); // a writer that gave up on the race would throw here
        }
        pool.shutdown();
        int n = threads * each;
        assertEquals(n, all.size());
        ModelRegistry reg = new ModelRegistry(root);
        assertEquals(java.util.stream.IntStream.rangeClosed(1, n).boxed().toList(), reg.listVersions("cmudict"));
        for (int v = 1; v <= n; v++) {
            assertEquals(v, reg.load("cmudict", Integer.toString(v)).manifest().version(), "manifest matches its directory");
        }
        try (var s = Files.list(root.resolve("cmudict"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging directory left behind");
        }
    }
}
