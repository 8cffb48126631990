package io.crossmodal.trainer.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Confines the lexicon files a caller may name ({@code data.lexicon_path}) to the trainer's data directories
 * ({@code crossmodal.trainer.data-dirs}, env {@code CROSSMODAL_TRAINER_DATA_DIRS}: comma-separated absolute
 * directories). A path is accepted only if its real path (symbolic links and {@code ..} resolved) is a regular
 * file inside one of the directories' real paths and at most {@code limits.lexicon-max-bytes} long. Every other
 * path (outside, missing, a directory, unreadable, a link out of the directories) gets the same answer, so the
 * API cannot be used to learn whether a path exists. Only the path is ever reported, never the file's content.
 * No directory configured: no lexicon path is accepted (only the pinned CMUdict).
 */
public final class LexiconPaths {
    static final String REFUSED = "data.lexicon_path must name a readable lexicon file inside one of the trainer's data"
            + " directories (crossmodal.trainer.data-dirs)";

    private final List<Path> dirs;
    private final long maxBytes;

    public LexiconPaths(List<String> dataDirs, long maxBytes) {
        List<Path> real = new ArrayList<>();
        for (String d : dataDirs) {
            if (d == null || d.isBlank()) {
                continue;
            }
            Path p = Path.of(d.strip());
            if (!p.isAbsolute()) {
                throw new IllegalStateException("crossmodal.trainer.data-dirs: '" + d + "' is not an absolute directory");
            }
            try {
                real.add(p.toRealPath());
            } catch (IOException e) {
                // a configured directory that does not exist (yet) admits nothing until it does
                real.add(p.normalize());
            }
        }
        this.dirs = List.copyOf(real);
        this.maxBytes = maxBytes;
    }

    public List<Path> dirs() {
        return dirs;
    }

    /** The real path of an admissible lexicon file; IllegalArgumentException otherwise. */
    public Path resolve(String given) {
        if (given == null || given.isEmpty() || given.length() > CallerInput.MAX_PATH || dirs.isEmpty()) {
            throw new IllegalArgumentException(REFUSED);
        }
        Path real;
        try {
            Path p = Path.of(given);
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException(REFUSED);
            }
            // lexically outside every directory: refused without touching the file system
            Path lexical = p.normalize();
            if (dirs.stream().noneMatch(lexical::startsWith)) {
                throw new IllegalArgumentException(REFUSED);
            }
            real = p.toRealPath();
            if (dirs.stream().noneMatch(real::startsWith) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)
                    || !Files.isReadable(real)) {
                throw new IllegalArgumentException(REFUSED);
            }
            long size = Files.size(real);
            if (size > maxBytes) {
                throw new IllegalArgumentException("data.lexicon_path: the file has " + size + " bytes, more than the"
                        + " limit of " + maxBytes + " (crossmodal.trainer.limits.lexicon-max-bytes)");
            }
        } catch (InvalidPathException | IOException | SecurityException e) {
            throw new IllegalArgumentException(REFUSED);
        }
        return real;
    }

    /**
     * The real path of a data file or directory a family's settings name ({@code field}, e.g.
     * {@code family_config_json.speechDir}), under the same rules as a lexicon path: absolute, inside a data
     * directory after resolving links and "..", readable; a file at most the lexicon size limit.
     */
    public Path resolveData(String field, String given, boolean directory) {
        String refused = field + " must name a readable " + (directory ? "directory" : "file") + " inside one of the"
                + " trainer's data directories (crossmodal.trainer.data-dirs)";
        if (given == null || given.isEmpty() || given.length() > CallerInput.MAX_PATH || dirs.isEmpty()) {
            throw new IllegalArgumentException(refused);
        }
        try {
            Path p = Path.of(given);
            if (!p.isAbsolute() || dirs.stream().noneMatch(p.normalize()::startsWith)) {
                throw new IllegalArgumentException(refused);
            }
            Path real = p.toRealPath();
            boolean kind = directory ? Files.isDirectory(real) : Files.isRegularFile(real);
            if (dirs.stream().noneMatch(real::startsWith) || !kind || !Files.isReadable(real)) {
                throw new IllegalArgumentException(refused);
            }
            if (!directory && Files.size(real) > maxBytes) {
                throw new IllegalArgumentException(field + ": the file has " + Files.size(real) + " bytes, more than the"
                        + " limit of " + maxBytes + " (crossmodal.trainer.limits.lexicon-max-bytes)");
            }
            return real;
        } catch (InvalidPathException | IOException | SecurityException e) {
            throw new IllegalArgumentException(refused);
        }
    }
}
