package io.crossmodal.runtime.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Read side of the bundle registry: {@code <root>/<model>/<version>/} directories, plus alias files
 * {@code <root>/<model>/aliases/<alias>} holding a version. Dot-entries (staging directories,
 * temporary alias files) are never listed, so half-written state is invisible.
 */
public final class ModelRegistry {

    public static final String LATEST = "latest";
    static final String ALIASES_DIR = "aliases";
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Whether {@code name} follows the registry's rules for model names (at most 200 of letters,
     * digits, '.', '_', '-', not starting with '.' or '-', no ".."); any other name can never exist,
     * so a caller can reject it as malformed instead of looking it up.
     */
    public static boolean isValidModelName(String name) {
        return Files2.isSafeName(name);
    }

    /** What {@link #isValidModelName} requires, for error messages. */
    public static String modelNameRule() {
        return "at most " + Files2.MAX_NAME_LENGTH + " of letters, digits, '.', '_', '-', not starting with '.' or '-'"
                + " and without '..'";
    }

    /** Whether {@code version} is written as the registry writes versions: a positive decimal integer of at most 9 digits. */
    public static boolean isVersionNumber(String version) {
        return version != null && VERSION.matcher(version).matches();
    }

    /** Models with at least one visible version, sorted. */
    public List<String> listModels() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .filter(n -> !versionsIn(root.resolve(n)).isEmpty())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list registry " + root, e);
        }
    }

    /** Versions of a model, ascending; ModelNotFoundException if it has none. */
    public List<Integer> listVersions(String model) {
        List<Integer> versions = versionsIn(modelDir(model));
        if (versions.isEmpty()) {
            throw new ModelNotFoundException("model '" + model + "' not found in registry " + root
                    + " (available: " + listModels() + ")");
        }
        return versions;
    }

    /** Aliases of a model and the versions they point to. */
    public Map<String, Integer> aliases(String model) {
        Path dir = modelDir(model).resolve(ALIASES_DIR);
        Map<String, Integer> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".")) {
                    readAlias(model, name).ifPresent(v -> out.put(name, v));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list aliases of " + model, e);
        }
        return out;
    }

    /**
     * Resolves a version number, {@code latest}, or an alias to an existing version; anything else
     * is a ModelNotFoundException saying what exists. The reference is taken as given, never trimmed:
     * {@code " 1"} is neither a version nor an alias name (the same rule everywhere a selector is read).
     */
    public int resolve(String model, String versionOrAlias) {
        List<Integer> versions = listVersions(model);
        String ref = versionOrAlias == null ? LATEST : versionOrAlias;
        if (ref.equals(LATEST)) {
            return versions.get(versions.size() - 1);
        }
        if (VERSION.matcher(ref).matches()) {
            int v = Integer.parseInt(ref);
            if (!versions.contains(v)) {
                throw new ModelNotFoundException("model '" + model + "' has no version " + v + " (versions: " + versions + ")");
            }
            return v;
        }
        if (!Files2.SAFE_NAME.matcher(ref).matches()) {
            throw new ModelNotFoundException("'" + ref + "' is neither a version, 'latest' nor a valid alias name");
        }
        int v = readAlias(model, ref).orElseThrow(() -> new ModelNotFoundException("model '" + model
                + "' has no version or alias '" + ref + "' (versions: " + versions + ", aliases: "
                + aliases(model).keySet() + ")"));
        if (!versions.contains(v)) {
            throw new ModelNotFoundException("alias '" + ref + "' of model '" + model + "' points to version " + v
                    + ", which does not exist (versions: " + versions + ")");
        }
        return v;
    }

    /** Points {@code alias} at an existing version, replacing the alias file atomically. */
    public void setAlias(String model, String alias, int version) {
        Files2.requireSafeName("alias", alias);
        if (alias.equals(LATEST) || VERSION.matcher(alias).matches()) {
            throw new IllegalArgumentException("alias '" + alias + "' would shadow 'latest' or a version number");
        }
        if (!listVersions(model).contains(version)) {
            throw new ModelNotFoundException("model '" + model + "' has no version " + version);
        }
        Path dir = modelDir(model).resolve(ALIASES_DIR);
        Path tmp = dir.resolve(".tmp-" + alias + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.writeString(tmp, Integer.toString(version) + "\n");
            Files2.fsync(tmp);
            Files.move(tmp, dir.resolve(alias), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files2.fsyncDirectory(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // invisible dot-file; nothing else to do
            }
            throw new UncheckedIOException("cannot set alias " + alias + " of " + model, e);
        }
    }

    /** Resolves and loads a bundle, verifying the manifest and every checksum first. */
    public Bundle load(String model, String versionOrAlias) {
        int version = resolve(model, versionOrAlias);
        Path dir = modelDir(model).resolve(Integer.toString(version));
        Manifest manifest = BundleVerifier.verify(dir, model, version);
        return new Bundle(dir, manifest);
    }

    private Path modelDir(String model) {
        try {
            Files2.requireSafeName("model name", model);
        } catch (IllegalArgumentException e) {
            throw new ModelNotFoundException(e.getMessage());
        }
        return root.resolve(model);
    }

    private java.util.Optional<Integer> readAlias(String model, String alias) {
        // A name no alias could have (path characters, over the file-name limit) is simply absent:
        // it must never reach the file system as a path.
        if (!Files2.isSafeName(alias)) {
            return java.util.Optional.empty();
        }
        Path file = modelDir(model).resolve(ALIASES_DIR).resolve(alias);
        try {
            String content = Files.readString(file).trim();
            if (!VERSION.matcher(content).matches()) {
                throw new BundleCorruptException("alias file " + file + " does not hold a version: '" + content + "'");
            }
            return java.util.Optional.of(Integer.parseInt(content));
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read alias " + file, e);
        }
    }

    /** Integer-named, non-hidden version directories of a model directory, ascending. */
    static List<Integer> versionsIn(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(modelDir)) {
            s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> VERSION.matcher(n).matches())
                    .forEach(n -> out.add(Integer.parseInt(n)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelDir, e);
        }
        out.sort(null);
        return out;
    }
}
