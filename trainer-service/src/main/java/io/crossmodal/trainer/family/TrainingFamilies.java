package io.crossmodal.trainer.family;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The training families on the class path, found with {@link ServiceLoader}
 * ({@code META-INF/services/io.crossmodal.trainer.family.TrainingFamily}); adding a family adds
 * a provider there, no edit here.
 */
public final class TrainingFamilies {
    private static final Map<String, TrainingFamily> FAMILIES = load();

    private TrainingFamilies() {}

    private static Map<String, TrainingFamily> load() {
        Map<String, TrainingFamily> out = new TreeMap<>();
        for (TrainingFamily f : ServiceLoader.load(TrainingFamily.class, TrainingFamilies.class.getClassLoader())) {
            TrainingFamily previous = out.put(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two training families named " + f.name() + ": "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return out;
    }

    /** The family named {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public static TrainingFamily require(String name) {
        TrainingFamily f = FAMILIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown model family '" + name + "', known: " + FAMILIES.keySet());
        }
        return f;
    }

    /** The names of the families found. */
    public static java.util.Set<String> names() {
        return FAMILIES.keySet();
    }

    /** The names of {@code bundle}'s components of one type: what a family's gate scores. */
    public static java.util.List<String> componentsOfType(io.crossmodal.runtime.bundle.Bundle bundle, String type) {
        java.util.List<String> out = new java.util.ArrayList<>();
        bundle.manifest().components().forEach((name, spec) -> {
            if (spec.type().equals(type)) {
                out.add(name);
            }
        });
        return out;
    }

    /**
     * Refuses a gate decision on other test data than the candidate's: the split fingerprint its lineage recorded
     * must equal the one the data reproduces now ({@code what} names the data in the message).
     */
    public static void requireSameTestData(io.crossmodal.lifecycle.Lineage lineage, String fingerprintNow, String what) {
        String expected = lineage.dataFingerprint().get("split");
        if (expected == null || !expected.equals(fingerprintNow)) {
            throw new IllegalStateException("the data no longer reproduces the candidate's " + what + " (fingerprint " + expected
                    + " recorded, " + fingerprintNow + " now): refusing to decide on a different test set");
        }
    }
}
