package io.crossmodal.runtime.cache;

import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ManifestJson;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Read-only listing of a model's versions with their manifests, for "which versions exist"
 * answers (ModelInfo, ListVersions). Manifests are read without verifying checksums (that is
 * {@link ModelRegistry#load}'s job before a bundle is used); an unreadable manifest is reported
 * as absent rather than failing the whole listing.
 */
public final class ModelCatalog {

    private static final Logger LOG = Logger.getLogger(ModelCatalog.class);

    private final ModelRegistry registry;

    public ModelCatalog(ModelRegistry registry) {
        this.registry = registry;
    }

    /** One version of a model; {@code manifest} is empty when its manifest cannot be read. */
    public record VersionSummary(String model, int version, Optional<Manifest> manifest, List<String> aliases) {

        public VersionSummary {
            aliases = List.copyOf(aliases);
        }
    }

    /**
     * The versions of a model, ascending, each with its manifest and the aliases pointing at it.
     *
     * @throws ModelNotFoundException if the model has no version
     */
    public List<VersionSummary> versions(String model) {
        List<Integer> versions = registry.listVersions(model);
        Map<String, Integer> aliases = registry.aliases(model);
        List<VersionSummary> out = new ArrayList<>(versions.size());
        for (int v : versions) {
            List<String> names = aliases.entrySet().stream().filter(a -> a.getValue() == v).map(Map.Entry::getKey).toList();
            out.add(new VersionSummary(model, v, readManifest(model, v), names));
        }
        return out;
    }

    /** Aliases of a model and the versions they point at. */
    public Map<String, Integer> aliases(String model) {
        return registry.aliases(model);
    }

    private Optional<Manifest> readManifest(String model, int version) {
        Path file = registry.root().resolve(model).resolve(Integer.toString(version)).resolve(Manifest.FILE_NAME);
        try {
            return Optional.of(ManifestJson.read(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            LOG.debugf("cannot read manifest of %s/%d: %s", model, version, e.getMessage());
            return Optional.empty();
        }
    }
}
