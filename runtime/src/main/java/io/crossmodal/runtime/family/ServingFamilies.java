package io.crossmodal.runtime.family;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The serving families on the class path ({@link ServiceLoader}); a service depends on the family
 * modules and finds them here, so adding a family needs no edit in the service.
 */
public final class ServingFamilies {
    private static final List<ServingFamily> FAMILIES = load();

    private ServingFamilies() {}

    private static List<ServingFamily> load() {
        List<ServingFamily> out = new ArrayList<>();
        for (ServingFamily f : ServiceLoader.load(ServingFamily.class, ServingFamilies.class.getClassLoader())) {
            out.add(f);
        }
        return List.copyOf(out);
    }

    /** Every family found. */
    public static List<ServingFamily> all() {
        return FAMILIES;
    }

    /**
     * The family that serves a manifest: the one named by its {@code family}, else the first that
     * recognises it ({@link ServingFamily#accepts}: bundles whose family field predates the plug-ins);
     * IllegalArgumentException naming the manifest's family and the known ones.
     */
    public static ServingFamily forManifest(Manifest manifest) {
        for (ServingFamily f : FAMILIES) {
            if (f.name().equals(manifest.family())) {
                return f;
            }
        }
        for (ServingFamily f : FAMILIES) {
            if (f.accepts(manifest)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no serving family for bundle " + manifest.name() + "/" + manifest.version()
                + " (family '" + manifest.family() + "'); this service has " + FAMILIES.stream().map(ServingFamily::name).toList());
    }

    /** Loads a bundle for a role with its family. */
    public static ServedModel<?, ?> load(Bundle bundle, ServingContext context) {
        return forManifest(bundle.manifest()).load(bundle, context);
    }
}
