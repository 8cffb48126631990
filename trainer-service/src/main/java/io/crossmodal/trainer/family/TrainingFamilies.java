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
}
