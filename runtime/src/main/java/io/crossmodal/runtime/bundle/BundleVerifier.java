package io.crossmodal.runtime.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Checks a bundle directory before use; every problem is a BundleCorruptException with the reason. */
final class BundleVerifier {

    private BundleVerifier() {
    }

    static Manifest verify(Path dir, String model, int version) {
        String where = model + "/" + version;
        Path manifestFile = dir.resolve(Manifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleCorruptException("bundle " + where + " has no " + Manifest.FILE_NAME);
        }
        Manifest m;
        try {
            m = ManifestJson.read(Files.readAllBytes(manifestFile));
        } catch (IOException e) {
            throw new BundleCorruptException("bundle " + where + ": unreadable manifest: " + e.getMessage(), e);
        }
        if (m.formatVersion() < 1 || m.formatVersion() > Manifest.FORMAT_VERSION) {
            throw new BundleCorruptException("bundle " + where + " has format version " + m.formatVersion()
                    + "; this reader supports 1.." + Manifest.FORMAT_VERSION);
        }
        if (!model.equals(m.name()) || version != m.version()) {
            throw new BundleCorruptException("bundle " + where + " has a manifest for " + m.name() + "/" + m.version());
        }
        for (Map.Entry<String, String> f : m.files().entrySet()) {
            verifyFile(dir, where, f.getKey(), f.getValue());
        }
        m.components().forEach((name, c) -> {
            c.graphs().forEach((role, g) -> {
                if (!m.files().containsKey(g.file())) {
                    throw new BundleCorruptException("bundle " + where + ": component " + name + " " + role
                            + " graph " + g.file() + " is not a checksummed file of the bundle");
                }
            });
            for (String vocab : new String[] {c.sourceVocabulary(), c.targetVocabulary()}) {
                if (vocab != null && !m.vocabularies().containsKey(vocab)) {
                    throw new BundleCorruptException("bundle " + where + ": component " + name
                            + " refers to missing vocabulary " + vocab);
                }
            }
        });
        return m;
    }

    private static void verifyFile(Path dir, String where, String name, String expected) {
        try {
            Files2.requireSafeName("file name", name);
        } catch (IllegalArgumentException e) {
            throw new BundleCorruptException("bundle " + where + ": " + e.getMessage());
        }
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new BundleCorruptException("bundle " + where + ": file " + name + " is missing");
        }
        String actual;
        try {
            actual = Files2.sha256(file);
        } catch (IOException e) {
            throw new BundleCorruptException("bundle " + where + ": cannot read " + name + ": " + e.getMessage(), e);
        }
        if (!actual.equalsIgnoreCase(expected)) {
            throw new BundleCorruptException("bundle " + where + ": checksum mismatch for " + name
                    + " (manifest " + expected + ", file " + actual + ")");
        }
    }
}
