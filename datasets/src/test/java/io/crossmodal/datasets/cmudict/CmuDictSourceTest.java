package io.crossmodal.datasets.cmudict;

import io.crossmodal.datasets.npm.Tarballs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CmuDictSourceTest {
    @TempDir
    Path tmp;

    private static byte[] npmLikeTarball() {
        return new Tarballs()
                .file("package/license", "ISC")
                .file("package/package.json", "{\"name\": \"cmu-pronouncing-dictionary\"}")
                .file("package/index.js", NpmDictParserTest.MODULE)
                .file("package/readme.md", "# readme")
                .tgz();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void fetchesVerifiesCachesAndParsesTarball() throws Exception {
        byte[] tgz = npmLikeTarball();
        Path origin = Files.write(tmp.resolve("dict-1.0.0.tgz"), tgz);
        Path cache = tmp.resolve("cache");
        CmuDictSource source = new CmuDictSource(origin.toUri(), sha256(tgz).toUpperCase(), cache);

        Lexicon lex = source.load(false);
        assertEquals(List.of(List.of("AH0"), List.of("EY1")), lex.pronunciationsByWord().get("a"));
        assertEquals(5, lex.size());
        assertEquals(List.of(cache.resolve("dict-1.0.0.tgz")), files(cache));

        // The verified cache is used even once the origin is gone.
        Files.delete(origin);
        assertEquals(5, source.load(true).size());
        assertEquals(List.of("AH"), source.load(true).pronunciationsByWord().get("a").get(0));
    }

    @Test
    void checksumMismatchIsRejectedAndNothingIsCached() throws Exception {
        byte[] tgz = npmLikeTarball();
        Path origin = Files.write(tmp.resolve("dict.tgz"), tgz);
        Path cache = tmp.resolve("cache");
        CmuDictSource source = new CmuDictSource(origin.toUri(), "0".repeat(64), cache);

        IOException e = assertThrows(IOException.class, source::fetch);
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(sha256(tgz)), e.getMessage());
        assertEquals(List.of(), files(cache));
        assertFalse(Files.exists(source.cachedArchive()));
    }

    @Test
    void corruptCacheIsReplaced() throws Exception {
        byte[] tgz = npmLikeTarball();
        Path origin = Files.write(tmp.resolve("dict.tgz"), tgz);
        CmuDictSource source = new CmuDictSource(origin.toUri(), sha256(tgz), tmp.resolve("cache"));
        Files.createDirectories(tmp.resolve("cache"));
        Files.writeString(source.cachedArchive(), "garbage");

        Path cached = source.fetch();
        assertEquals(sha256(tgz), CmuDictSource.sha256(cached));
    }

    @Test
    void fromPathDetectsTarballCmuTextAndModule() throws Exception {
        Path tgz = Files.write(tmp.resolve("x.tgz"), npmLikeTarball());
        Path text = Files.writeString(tmp.resolve("cmudict.dict"), ";;; c\nA  AH0\nA(2)  EY1\nB  B IY1\n");
        Path module = Files.writeString(tmp.resolve("index.js"), NpmDictParserTest.MODULE);
        assertEquals(5, CmuDictSource.fromPath(tgz, false).size());
        assertEquals(3, CmuDictSource.fromPath(text, false).size());
        assertEquals(5, CmuDictSource.fromPath(module, false).size());
    }

    @Test
    void archiveWithoutDictionaryIsAnError() throws Exception {
        Path tgz = Files.write(tmp.resolve("x.tgz"), new Tarballs().file("package/readme.md", "hi").tgz());
        IOException e = assertThrows(IOException.class, () -> CmuDictSource.fromPath(tgz, false));
        assertTrue(e.getMessage().contains("package/readme.md"), e.getMessage());
    }

    @Test
    void invalidSha256IsRejectedEarly() {
        assertThrows(IllegalArgumentException.class,
                () -> new CmuDictSource(tmp.toUri(), "abc", tmp));
    }

    @Test
    void defaultsPointAtPinnedNpmRelease() {
        assertEquals("https://registry.npmjs.org/cmu-pronouncing-dictionary/-/cmu-pronouncing-dictionary-3.0.0.tgz",
                CmuDictSource.DEFAULT_URI.toString());
        assertTrue(CmuDictSource.defaultCacheDir().endsWith("cmudict"));
        assertEquals("cmu-pronouncing-dictionary-3.0.0.tgz",
                new CmuDictSource(tmp).cachedArchive().getFileName().toString());
    }
}
