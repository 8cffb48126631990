package io.crossmodal.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The one crash-safe file-write helper of the project: dot-temp file in the target directory,
 * fsync of the file, atomic rename (or hard link for create-only), fsync of the directory.
 *
 * <p>One fsync policy: an fsync that fails is an {@link IOException} (a write that may not be
 * durable is reported, never silently accepted), with one exception: platforms that cannot open a
 * directory at all (Windows) skip the directory fsync; the rename is atomic there anyway.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Replaces (or creates) {@code file} with {@code bytes}; readers see the old or the new content, never a mix. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempFor(dir, file);
        try {
            Files.write(tmp, bytes);
            fsync(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@link #write(Path, byte[])} of UTF-8 text. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Creates {@code file} with {@code bytes}; FileAlreadyExistsException if it exists (hard link claims the name). */
    public static void create(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempFor(dir, file);
        try {
            Files.write(tmp, bytes);
            fsync(tmp);
            Files.createLink(file, tmp);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves a fully written (and fsynced) file or directory into place atomically, replacing an
     * existing file, and persists the rename.
     */
    public static void moveInto(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** A dot-prefixed temporary name next to {@code file}: invisible to readers that skip dot entries. */
    public static Path tempFor(Path dir, Path file) {
        return dir.resolve(".tmp-" + file.getFileName() + "-" + UUID.randomUUID());
    }

    /** Forces a file's content to disk. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Persists a directory entry (a rename or a new file) on POSIX file systems. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                return;
            }
            throw e;
        }
    }

    /** Recursive delete; the first failure is thrown. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Best-effort recursive delete, for cleaning up after a failed write (a leftover dot entry is invisible). */
    public static void deleteQuietly(Path root) {
        try {
            deleteRecursively(root);
        } catch (IOException ignored) {
            // best effort: see above
        }
    }
}
