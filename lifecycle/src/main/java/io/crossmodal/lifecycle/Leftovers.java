package io.crossmodal.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What gc cleans besides unreferenced versions: the invisible leftovers of crashed writers. */
final class Leftovers {
    private Leftovers() {}

    /** How old an invisible staging directory must be before gc takes it for a crashed writer's. */
    static final java.time.Duration STALE_STAGING = java.time.Duration.ofHours(1);

    /**
     * Invisible leftovers of crashed writers: {@code .staging-*} directories untouched for
     * {@link #STALE_STAGING} (a younger one may belong to a write in progress) and {@code .gc-*}
     * directories of an interrupted gc.
     */
    static List<String> of(Path modelDir) {
        List<String> out = new ArrayList<>();
        Instant cutoff = Instant.now().minus(STALE_STAGING);
        try (Stream<Path> s = Files.list(modelDir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!Files.isDirectory(p)) {
                    continue;
                }
                if (n.startsWith(".gc-")
                        || (n.startsWith(".staging-") && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff))) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelDir, e);
        }
        return out;
    }
}
