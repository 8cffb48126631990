package io.crossmodal.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The per-model lock of lifecycle changes: a JVM lock (re-entrant within a thread) around an OS file
 * lock on {@code <model>/.lifecycle.lock}, so threads and processes (CLI, Trainer API, CronJob)
 * change one model's aliases and records one at a time.
 */
final class ModelLock {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private ModelLock() {}

    /** Runs {@code body} holding the model's lock (re-entrant within a thread; an OS file lock across processes). */
    static <T> T withLock(Path root, String model, Supplier<T> body) {
        Path modelDir = root.resolve(model).toAbsolutePath().normalize();
        ReentrantLock lock = JVM_LOCKS.computeIfAbsent(modelDir, k -> new ReentrantLock());
        lock.lock();
        try {
            if (lock.getHoldCount() > 1) {
                return body.get();
            }
            Files.createDirectories(modelDir);
            try (FileChannel ch = FileChannel.open(modelDir.resolve(ModelLifecycle.LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + modelDir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
