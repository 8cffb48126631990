package io.crossmodal.datasets.npm;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Minimal sequential reader for ustar/GNU/pax tar streams, enough to pull one file out of an
 * npm tarball without adding an archive library. Entries are never written to disk, so path
 * traversal in entry names is not a concern here.
 */
public final class TarReader {
    private static final int BLOCK = 512;

    public record Entry(String name, long size, byte type) {
        public boolean isFile() {
            return type == '0' || type == 0 || type == '7';
        }
    }

    private final InputStream in;
    private long remaining; // unread content bytes of the current entry
    private long padding;   // bytes after the content up to the next block boundary
    private boolean ended;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry's header (metadata entries are consumed), or null at end of archive. */
    public Entry next() throws IOException {
        if (ended) {
            return null;
        }
        String overrideName = null;
        while (true) {
            skipRest();
            byte[] h = readHeader();
            if (h == null) {
                ended = true;
                return null;
            }
            long size = parseNumber(h, 124, 12);
            byte type = h[156];
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            if (type == 'L') {           // GNU long name: content is the next entry's name
                overrideName = cString(readContent(64 * 1024), 0, (int) size);
            } else if (type == 'x') {    // pax extended header: may carry "path"
                String path = paxPath(new String(readContent(1 << 20), StandardCharsets.UTF_8));
                if (path != null) {
                    overrideName = path;
                }
            } else if (type == 'g') {    // pax global header: nothing we need
                continue;
            } else {
                String name = overrideName != null ? overrideName : headerName(h);
                return new Entry(name, size, type);
            }
        }
    }

    /** The current entry's content; refuses entries larger than {@code maxBytes}. */
    public byte[] readContent(int maxBytes) throws IOException {
        if (remaining > maxBytes) {
            throw new IOException("tar entry of " + remaining + " bytes exceeds limit " + maxBytes);
        }
        byte[] data = in.readNBytes((int) remaining);
        if (data.length != remaining) {
            throw new EOFException("truncated tar entry");
        }
        remaining = 0;
        return data;
    }

    private void skipRest() throws IOException {
        in.skipNBytes(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private byte[] readHeader() throws IOException {
        byte[] h = in.readNBytes(BLOCK);
        if (h.length == 0) {
            return null; // tolerate archives without the two terminating zero blocks
        }
        if (h.length < BLOCK) {
            throw new EOFException("truncated tar header");
        }
        boolean zero = true;
        for (byte b : h) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return null;
        }
        long stored = parseNumber(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException("tar header checksum mismatch (not a tar stream, or corrupt)");
        }
        return h;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        if (ustar) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    /** Octal (NUL/space padded) or GNU base-256 (high bit of first byte set). */
    private static long parseNumber(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            byte b = h[i];
            if (b == 0 || (b == ' ' && digits)) {
                break;
            }
            if (b == ' ') {
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IOException("bad octal number in tar header");
            }
            v = (v << 3) + (b - '0');
            digits = true;
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    // pax records are "<len> <key>=<value>\n"
    private static String paxPath(String records) {
        for (String rec : records.split("\n")) {
            int sp = rec.indexOf(' ');
            int eq = rec.indexOf('=');
            if (sp > 0 && eq > sp && rec.substring(sp + 1, eq).equals("path")) {
                return rec.substring(eq + 1);
            }
        }
        return null;
    }
}
