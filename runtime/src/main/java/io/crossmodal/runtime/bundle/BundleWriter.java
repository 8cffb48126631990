package io.crossmodal.runtime.bundle;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes bundles atomically: files go into {@code <registry>/<model>/.staging-<uuid>/}, each is
 * fsynced and checksummed, the manifest is written last, and the directory is renamed to
 * {@code <version>/} in one atomic move. Any failure deletes the staging directory; since readers
 * ignore dot-directories, a crash leaves nothing visible either.
 */
public final class BundleWriter {

    private static final Logger LOG = Logger.getLogger(BundleWriter.class);
    /**
     * Each lost race means another writer took the version, so every round lets at least one writer
     * finish: n concurrent writers need at most n - 1 retries. The bound only stops a livelock on a
     * broken file system.
     */
    private static final int MAX_VERSION_RACE_RETRIES = 10_000;

    private final Path registryRoot;

    public BundleWriter(Path registryRoot) {
        this.registryRoot = registryRoot;
    }

    /** Writes with the next free integer version. */
    public Bundle write(String model, Manifest draft, Map<String, FileContent> files) {
        return write(model, OptionalInt.empty(), draft, files);
    }

    /**
     * Writes {@code files} plus a stamped manifest as {@code model}/{@code version} (the next
     * integer when empty). Every graph file named by a component must be among {@code files}.
     * Fails without leaving anything visible if the version exists or any write fails.
     */
    public Bundle write(String model, OptionalInt version, Manifest draft, Map<String, FileContent> files) {
        Files2.requireSafeName("model name", model);
        version.ifPresent(v -> {
            if (v < 1) {
                throw new IllegalArgumentException("version must be >= 1, got " + v);
            }
        });
        checkFiles(draft, files);
        Path modelDir = registryRoot.resolve(model);
        Path staging = modelDir.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(modelDir);
            Files.createDirectory(staging);
            Map<String, String> checksums = new TreeMap<>();
            for (Map.Entry<String, FileContent> f : files.entrySet()) {
                checksums.put(f.getKey(), writeFile(staging.resolve(f.getKey()), f.getValue()));
            }
            String createdAt = draft.createdAt() != null ? draft.createdAt() : Instant.now().toString();
            for (int attempt = 0; ; attempt++) {
                int v = version.orElseGet(() -> nextVersion(modelDir));
                Manifest manifest = draft.stamped(model, v, createdAt, checksums);
                Path manifestFile = staging.resolve(Manifest.FILE_NAME);
                Files.write(manifestFile, ManifestJson.write(manifest));
                Files2.fsync(manifestFile);
                Files2.fsyncDirectory(staging);
                Path target = modelDir.resolve(Integer.toString(v));
                try {
                    if (Files.exists(target)) {
                        throw new FileAlreadyExistsException(target.toString(), null, "bundle version already exists");
                    }
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileSystemException e) {
                    // another writer took this version between our check and the rename
                    if (version.isEmpty() && attempt < MAX_VERSION_RACE_RETRIES && Files.exists(target)) {
                        Thread.onSpinWait();
                        continue;
                    }
                    throw e;
                }
                Files2.fsyncDirectory(modelDir);
                LOG.infof("wrote bundle %s/%d (%d files)", model, v, checksums.size());
                return new Bundle(target, manifest);
            }
        } catch (IOException e) {
            Files2.deleteRecursively(staging);
            throw new UncheckedIOException("failed to write bundle " + model + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            Files2.deleteRecursively(staging);
            throw e;
        }
    }

    private static void checkFiles(Manifest draft, Map<String, FileContent> files) {
        for (String name : files.keySet()) {
            Files2.requireSafeName("bundle file name", name);
            if (name.equals(Manifest.FILE_NAME)) {
                throw new IllegalArgumentException(Manifest.FILE_NAME + " is written by the BundleWriter");
            }
        }
        draft.components().forEach((component, spec) -> spec.graphs().forEach((role, graph) -> {
            if (!files.containsKey(graph.file())) {
                throw new IllegalArgumentException("component " + component + " " + role + " graph file "
                        + graph.file() + " is not among the files to write " + files.keySet());
            }
        }));
    }

    /** Writes one file, fsyncs it, and returns its SHA-256 computed from the bytes written. */
    private static String writeFile(Path file, FileContent content) throws IOException {
        MessageDigest md = Files2.sha256();
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file)), md)) {
            content.writeTo(out);
        }
        Files2.fsync(file);
        return HexFormat.of().formatHex(md.digest());
    }

    private static int nextVersion(Path modelDir) {
        return ModelRegistry.versionsIn(modelDir).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    }
}
