package io.crossmodal.core.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** File-system helpers for crash-safe bundle and alias writes. */
final class Files2 {

    /** Model, alias and file names: no separators, no leading dot (dot entries are invisible to readers). */
    static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private Files2() {
    }

    /** File names are limited to 255 bytes on common file systems; names here are ASCII. */
    static final int MAX_NAME_LENGTH = 200;

    static boolean isSafeName(String name) {
        return name != null && name.length() <= MAX_NAME_LENGTH && SAFE_NAME.matcher(name).matches() && !name.contains("..");
    }

    static String requireSafeName(String what, String name) {
        if (!isSafeName(name)) {
            String shown = name == null ? "null" : name.length() > 64 ? name.substring(0, 64) + "..." : name;
            throw new IllegalArgumentException("invalid " + what + " '" + shown + "': at most " + MAX_NAME_LENGTH
                    + " of letters, digits, '.', '_', '-', not starting with '.' or '-'");
        }
        return name;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Persists a directory entry (a rename or a new file) on POSIX file systems. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms (Windows) cannot open directories; the rename is still atomic there
            if (System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
                return;
            }
            throw e;
        }
    }

    /** Best-effort recursive delete, used to clean up after a failed write. */
    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // keep deleting the rest; a leftover dot-directory is invisible to readers
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
