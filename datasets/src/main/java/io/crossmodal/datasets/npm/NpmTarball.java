package io.crossmodal.datasets.npm;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the files of an npm package tarball (a gzip-compressed tar) with Apache Commons Compress, which handles
 * the ustar, GNU long-name and pax variants npm has used. Entries are only read into memory, never written to
 * disk, so entry names cannot escape a directory; every read has a size cap because the checksum that pins a
 * download is not checked for a local path.
 */
public final class NpmTarball {

    /** Receives each regular file of the archive, in archive order. */
    @FunctionalInterface
    public interface FileHandler {
        /** {@code content} reads this entry only, and only during the call. */
        void file(String name, Content content) throws IOException;
    }

    /** The current entry's bytes. */
    @FunctionalInterface
    public interface Content {
        /** All bytes of the entry; an IOException if it has more than {@code maxBytes} or the archive ends early. */
        byte[] read(long maxBytes) throws IOException;
    }

    private NpmTarball() {
    }

    /** True if the file starts with the gzip magic bytes (so it is a tarball rather than a plain data file). */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
        }
    }

    /** Visits every regular file of the tarball at {@code tgz}; returns the names of all entries seen. */
    public static List<String> read(Path tgz, FileHandler handler) throws IOException {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)))) {
            return readTar(in, handler);
        } catch (IOException e) {
            throw new IOException("cannot read npm tarball " + tgz + ": " + e.getMessage(), e);
        }
    }

    /** Visits every regular file of an uncompressed tar stream; returns the names of all entries seen. */
    public static List<String> readTar(InputStream tarStream, FileHandler handler) throws IOException {
        List<String> seen = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
            seen.add(e.getName());
            if (e.isFile()) {
                TarArchiveEntry entry = e;
                handler.file(e.getName(), maxBytes -> content(tar, entry, maxBytes));
            }
        }
        return seen;
    }

    private static byte[] content(TarArchiveInputStream tar, TarArchiveEntry e, long maxBytes) throws IOException {
        long size = e.getSize();
        if (size > maxBytes || size > Integer.MAX_VALUE - 8) {
            throw new IOException("tar entry " + e.getName() + " has " + size + " bytes, more than the limit " + maxBytes);
        }
        byte[] data = tar.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar entry " + e.getName() + " is truncated: " + data.length + " of " + size + " bytes");
        }
        return data;
    }
}
