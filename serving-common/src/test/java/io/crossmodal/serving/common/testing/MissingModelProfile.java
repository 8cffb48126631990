package io.crossmodal.serving.common.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test registry ({@link TinyRegistryResource}) with a configured model that does not exist:
 * {@code crossmodal.models=tiny,nosuchmodel}. Its preload fails, so readiness is DOWN (503) while
 * liveness stays UP and {@code tiny} is served.
 */
public class MissingModelProfile implements QuarkusTestProfile {

    public static final String MISSING = "nosuchmodel";

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Registry.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    /** The tiny registry, configured to preload a model it lacks as well. */
    public static class Registry extends TinyRegistryResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("crossmodal.models", "tiny," + MISSING);
            return config;
        }
    }
}
