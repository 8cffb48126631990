package io.crossmodal.runtime.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A verified bundle directory and its manifest, as returned by {@link ModelRegistry#load}. */
public record Bundle(Path directory, Manifest manifest) {

    public String model() {
        return manifest.name();
    }

    public int version() {
        return manifest.version();
    }

    public ComponentSpec component(String name) {
        return manifest.component(name);
    }

    public List<String> vocabulary(String name) {
        return manifest.vocabulary(name);
    }

    /** Path of a file listed in the manifest (never outside the bundle directory). */
    public Path file(String name) {
        if (!manifest.files().containsKey(name)) {
            throw new IllegalArgumentException("bundle " + model() + "/" + version() + " has no file '" + name + "'");
        }
        return directory.resolve(name);
    }

    public byte[] readFile(String name) {
        try {
            return Files.readAllBytes(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " of bundle " + directory, e);
        }
    }

    /** Path of the graph file of a component role. */
    public Path graphFile(String component, String role) {
        return file(component(component).graph(role).file());
    }
}
