package io.crossmodal.runtime.bundle;

import io.crossmodal.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Name checks and checksums of bundle files; the fsync and atomic-rename policy is {@link AtomicFiles}'s. */
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
        AtomicFiles.fsync(file);
    }

    static void fsyncDirectory(Path dir) throws IOException {
        AtomicFiles.fsyncDirectory(dir);
    }

    static void deleteRecursively(Path root) {
        AtomicFiles.deleteQuietly(root);
    }
}
