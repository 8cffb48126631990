package io.crossmodal.datasets.npm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmTarballTest {
    @TempDir
    Path tmp;

    private static Map<String, String> readAll(Path tgz) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        NpmTarball.read(tgz, (name, content) -> out.put(name, new String(content.read(1 << 20), StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void readsFilesWithLongNamesInEveryNpmVariantAndSkipsUnreadContent() throws Exception {
        byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        String longName = "package/" + "long-directory-name/".repeat(8) + "file.txt";
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU}) {
            Path tgz = Files.write(tmp.resolve("p" + mode + ".tgz"), new Tarballs().longFileMode(mode)
                    .file("package/", "")
                    .file("package/a.txt", "hello")
                    .file("package/big.bin", big)
                    .file(longName, "long")
                    .file("package/empty", "")
                    .tgz());
            byte[][] bigRead = {null};
            List<String> seen = NpmTarball.read(tgz, (name, content) -> {
                if (name.equals("package/big.bin")) {
                    bigRead[0] = content.read(10_000);
                } // the others are not read: the reader must skip them
            });
            assertEquals(List.of("package/", "package/a.txt", "package/big.bin", longName, "package/empty"), seen, "mode " + mode);
            assertArrayEquals(big, bigRead[0]);
            Map<String, String> files = readAll(tgz);
            assertEquals(List.of("package/a.txt", "package/big.bin", longName, "package/empty"), List.copyOf(files.keySet()),
                    "directories are not handed to the handler");
            assertEquals("hello", files.get("package/a.txt"));
            assertEquals("long", files.get(longName));
            assertEquals("", files.get("package/empty"));
        }
    }

    @Test
    void oversizedEntryIsRefused() throws Exception {
        Path tgz = Files.write(tmp.resolve("x.tgz"), new Tarballs().file("package/a", "x".repeat(600)).tgz());
        IOException e = assertThrows(IOException.class, () -> NpmTarball.read(tgz, (name, content) -> content.read(100)));
        assertTrue(e.getMessage().contains("package/a") && e.getMessage().contains("600"), e.getMessage());
    }

    @Test
    void truncatedArchiveFails() throws Exception {
        byte[] tar = new Tarballs().file("package/a", "x".repeat(600)).tar();
        byte[] cut = Arrays.copyOf(tar, 512 + 100);
        assertThrows(IOException.class,
                () -> NpmTarball.readTar(new ByteArrayInputStream(cut), (name, content) -> content.read(1000)));
    }

    @Test
    void corruptHeaderFails() throws Exception {
        byte[] tar = new Tarballs().file("package/a", "x".repeat(600)).tar();
        tar[148] = 'z'; // the header checksum field is no longer an octal number
        assertThrows(IOException.class, () -> NpmTarball.readTar(new ByteArrayInputStream(tar), (name, content) -> { }));
    }

    @Test
    void notATarballIsAClearError() throws Exception {
        Path text = Files.writeString(tmp.resolve("plain.tgz"), "not gzip at all");
        assertFalse(NpmTarball.isGzip(text));
        IOException e = assertThrows(IOException.class, () -> NpmTarball.read(text, (name, content) -> { }));
        assertTrue(e.getMessage().contains("plain.tgz"), e.getMessage());
        assertTrue(NpmTarball.isGzip(Files.write(tmp.resolve("ok.tgz"), new Tarballs().file("a", "b").tgz())));
    }
}
