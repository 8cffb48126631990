package io.crossmodal.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.io.AtomicFiles;
import io.crossmodal.runtime.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The lifecycle's files next to the bundles of one registry: the alias history
 * ({@code <model>/alias-history.json}), the decision records ({@code <model>/decisions/<id>.json},
 * created once, never replaced) and the lineage files of versions; every write through
 * {@link AtomicFiles}. No locking here: {@link ModelLifecycle} writes under {@link ModelLock}.
 */
final class LifecycleRecords {
    private static final Logger LOG = Logger.getLogger(LifecycleRecords.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final String DECISIONS_DIR = ModelLifecycle.DECISIONS_DIR;
    private static final String HISTORY_FILE = ModelLifecycle.HISTORY_FILE;

    private final Path root;

    LifecycleRecords(Path root) {
        this.root = root;
    }

    /** {@code alias-history.json}: the history of every alias of one model. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record HistoryFile(String model, List<AliasChange> changes) {
        HistoryFile {
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    Lineage readLineageFile(String model, int version) {
        Path f = root.resolve(model).resolve(Integer.toString(version)).resolve(Lineage.FILE_NAME);
        try {
            return JSON.readValue(Files.readAllBytes(f), Lineage.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warnf("unreadable lineage %s: %s", f, e.getMessage());
            return null;
        }
    }

    /** Every decision record of the model, oldest first. */
    List<DecisionRecord> decisions(String model) {
        Path dir = root.resolve(model).resolve(DECISIONS_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<DecisionRecord> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && n.endsWith(".json")) {
                    out.add(JSON.readValue(p.toFile(), DecisionRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read decisions of " + model, e);
        }
        out.sort(Comparator.comparing(DecisionRecord::id));
        return out;
    }

    /** The file a decision record is stored in. */
    Path decisionFile(String model, String id) {
        return root.resolve(model).resolve(DECISIONS_DIR).resolve(id + ".json");
    }

    void writeDecision(DecisionRecord d) {
        try {
            AtomicFiles.create(decisionFile(d.model(), d.id()), json(d));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("decision " + d.id() + " already exists", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write decision " + d.id(), e);
        }
    }

    List<AliasChange> readHistory(String model) {
        Path f = root.resolve(model).resolve(HISTORY_FILE);
        try {
            return JSON.readValue(Files.readAllBytes(f), HistoryFile.class).changes();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read alias history " + f, e);
        }
    }

    void writeHistory(String model, List<AliasChange> changes) {
        try {
            AtomicFiles.write(root.resolve(model).resolve(HISTORY_FILE), json(new HistoryFile(model, changes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write alias history of " + model, e);
        }
    }

    private static byte[] json(Object o) {
        return ModelLifecycle.json(o);
    }
}
