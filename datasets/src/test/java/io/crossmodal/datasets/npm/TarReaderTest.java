package io.crossmodal.datasets.npm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class TarReaderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsNamesSizesAndContentAcrossBlockBoundaries() throws IOException {
        byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        String longName = "very/" + "long-directory-name/".repeat(8) + "file.txt";
        String pax = "30 path=pax/overridden/name\n";
        byte[] tgz = new TarBuilder()
                .entry("package/", "", (byte) '5', new byte[0])
                .file("package/a.txt", "hello")
                .entry("big.bin", "some/prefix", (byte) '0', big)
                .entry("././@LongLink", "", (byte) 'L', bytes(longName + "\0"))
                .entry("truncated-name", "", (byte) '0', bytes("long"))
                .entry("PaxHeader", "", (byte) 'x', bytes(pax))
                .entry("short", "", (byte) '0', bytes("pax"))
                .file("empty", "")
                .tgz();
        TarReader r = new TarReader(new GZIPInputStream(new ByteArrayInputStream(tgz)));
        List<String> names = new ArrayList<>();
        TarReader.Entry e;
        while ((e = r.next()) != null) {
            names.add(e.name());
            switch (e.name()) {
                case "package/a.txt" -> assertEquals("hello", new String(r.readContent(100), StandardCharsets.UTF_8));
                case "some/prefix/big.bin" -> assertArrayEquals(big, r.readContent(10_000));
                case "pax/overridden/name" -> assertEquals("pax", new String(r.readContent(100), StandardCharsets.UTF_8));
                default -> { } // unread content must be skipped by next()
            }
        }
        assertEquals(List.of("package/", "package/a.txt", "some/prefix/big.bin", longName,
                "pax/overridden/name", "empty"), names);
        assertNull(r.next());
    }

    @Test
    void rejectsCorruptHeaderAndOversizedEntry() throws IOException {
        byte[] tar = new TarBuilder().file("a", "x".repeat(600)).tar();
        tar[0] = 'b'; // name changed, checksum not updated
        IOException e = assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(tar)).next());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        TarReader r = new TarReader(new ByteArrayInputStream(new TarBuilder().file("a", "x".repeat(600)).tar()));
        r.next();
        assertThrows(IOException.class, () -> r.readContent(100));
    }

    @Test
    void truncatedArchiveFails() {
        byte[] tar = new TarBuilder().file("a", "x".repeat(600)).tar();
        byte[] cut = java.util.Arrays.copyOf(tar, 512 + 100);
        assertThrows(IOException.class, () -> {
            TarReader r = new TarReader(new ByteArrayInputStream(cut));
            r.next();
            r.readContent(1000);
        });
    }
}
