package io.crossmodal.datasets.npm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small npm-like tarballs for tests, written with Commons Compress (the library the reader uses too). */
public final class Tarballs {
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private int longFileMode = TarArchiveOutputStream.LONGFILE_POSIX;

    public Tarballs file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public Tarballs file(String name, byte[] content) {
        files.put(name, content);
        return this;
    }

    /** How names longer than 100 bytes are written: {@link TarArchiveOutputStream#LONGFILE_GNU} or pax (default). */
    public Tarballs longFileMode(int mode) {
        longFileMode = mode;
        return this;
    }

    /** The uncompressed tar; names ending in '/' become directory entries. */
    public byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(longFileMode);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getKey().endsWith("/") ? 0 : f.getValue().length);
                tar.putArchiveEntry(e);
                if (!f.getKey().endsWith("/")) {
                    tar.write(f.getValue());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public byte[] tgz() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(tar());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
