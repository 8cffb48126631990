package io.crossmodal.trainer.api;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The job records of the Trainer API on disk: {@code <runs-dir>/<job id>/job.json}, next to the job's
 * checkpoints and reports, written atomically at every state change, so a restarted trainer reports every
 * earlier job's final state (or that it was lost). A record that cannot be read is skipped with a warning;
 * one with oversized strings is cut on reading, so no stored record can break a ListJobs.
 */
final class JobStore {
    private static final Logger LOG = Logger.getLogger(JobStore.class);
    static final String FILE = "job.json";
    /** Largest job record read back (a record holds a config and a few short strings). */
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = Json.base()
            .serializationInclusion(JsonInclude.Include.NON_NULL).build();

    /** What a bundle a job registered looks like in its record. */
    record Exported(String model, int version, String family, List<String> components, Map<String, Double> metrics,
            String createdAt) {
    }

    /** One job as stored. Times are ISO-8601 instants. */
    record JobFile(String id, String requestId, String idempotencyKey, String fingerprint, String createdAt,
            String startedAt, String finishedAt, String state, String message, String config, Exported exported,
            String resumeFrom) {
    }

    private final Path runsDir;

    JobStore(Path runsDir) {
        this.runsDir = runsDir;
    }

    Path runDir(String id) {
        return runsDir.resolve(id);
    }

    void write(JobFile job) {
        Path dir = runDir(job.id());
        Path tmp = dir.resolve(FILE + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            JSON.writeValue(tmp.toFile(), job);
            try {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the job record of " + job.id(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing left to clean
            }
        }
    }

    /** Every readable job record under the runs directory. */
    List<JobFile> readAll() {
        List<JobFile> out = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(runsDir)) {
            for (Path dir : dirs.toList()) {
                Path f = dir.resolve(FILE);
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    if (Files.size(f) > MAX_FILE_BYTES) {
                        LOG.warnf("job record %s is larger than %d bytes; skipped", f, MAX_FILE_BYTES);
                        continue;
                    }
                    JobFile j = JSON.readValue(f.toFile(), JobFile.class);
                    if (j.id() == null || !j.id().equals(dir.getFileName().toString()) || j.config() == null) {
                        LOG.warnf("job record %s does not belong to its directory or has no config; skipped", f);
                        continue;
                    }
                    out.add(bounded(j));
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("unreadable job record %s (%s); skipped", f, CallerInput.forLog(e.getMessage()));
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot list the runs directory %s: %s", runsDir, e.getMessage());
        }
        return out;
    }

    /** A record with every caller string cut to its API bound (records written by older versions). */
    private static JobFile bounded(JobFile j) {
        return new JobFile(j.id(), CallerInput.cut(j.requestId(), CallerInput.MAX_ID),
                CallerInput.cut(j.idempotencyKey(), CallerInput.MAX_ID), j.fingerprint(), j.createdAt(), j.startedAt(),
                j.finishedAt(), j.state(), CallerInput.cut(j.message(), 2000), j.config(), j.exported(), j.resumeFrom());
    }

    /** Deletes a pruned job's run directory (only a direct child of the runs directory). */
    void delete(String id) {
        Path dir = runDir(id).normalize();
        if (!dir.getParent().equals(runsDir.normalize())) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warnf("could not delete the run directory %s of pruned job %s: %s", dir, id, e.getMessage());
        }
    }
}
