package io.crossmodal.runtime.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a bundle. {@link BundleWriter} fills in name, version, creation time and
 * the SHA-256 of every file ({@code files}); callers supply the rest. Unknown JSON properties are
 * ignored so older readers can load bundles written by newer trainers of the same format version.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int formatVersion,
        String name,
        int version,
        String family,
        String createdAt,
        Map<String, List<String>> vocabularies,
        Map<String, ComponentSpec> components,
        Map<String, String> files,
        Map<String, Object> metrics,
        Map<String, String> dataFingerprint,
        Map<String, Object> trainingConfig,
        // per-model serving settings by service role; absent in bundles written before they existed
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ServingSpec> serving) {

    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "manifest.json";

    public Manifest {
        vocabularies = copy(vocabularies);
        components = copy(components);
        files = files == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(files));
        metrics = copy(metrics);
        dataFingerprint = copy(dataFingerprint);
        trainingConfig = copy(trainingConfig);
        serving = copy(serving);
    }

    /** A manifest without serving settings (the format before they existed). */
    public Manifest(int formatVersion, String name, int version, String family, String createdAt,
            Map<String, List<String>> vocabularies, Map<String, ComponentSpec> components, Map<String, String> files,
            Map<String, Object> metrics, Map<String, String> dataFingerprint, Map<String, Object> trainingConfig) {
        this(formatVersion, name, version, family, createdAt, vocabularies, components, files, metrics, dataFingerprint,
                trainingConfig, null);
    }

    /** The serving settings for a service role ({@link ServingSpec#NONE} when the bundle sets none). */
    public ServingSpec servingFor(String role) {
        return serving.getOrDefault(role, ServingSpec.NONE);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    public static Builder builder(String family) {
        return new Builder(family);
    }

    /** The component; IllegalArgumentException naming the components present if absent. */
    public ComponentSpec component(String name) {
        ComponentSpec c = components.get(name);
        if (c == null) {
            throw new IllegalArgumentException("bundle " + this.name + "/" + version + " has no component '" + name
                    + "' (has " + components.keySet() + ")");
        }
        return c;
    }

    /** The vocabulary; IllegalArgumentException if absent. */
    public List<String> vocabulary(String name) {
        List<String> v = vocabularies.get(name);
        if (v == null) {
            throw new IllegalArgumentException("bundle " + this.name + "/" + version + " has no vocabulary '" + name
                    + "' (has " + vocabularies.keySet() + ")");
        }
        return v;
    }

    /** Copy with the fields the writer owns. */
    Manifest stamped(String name, int version, String createdAt, Map<String, String> files) {
        return new Manifest(FORMAT_VERSION, name, version, family, createdAt, vocabularies, components, files,
                metrics, dataFingerprint, trainingConfig, serving);
    }

    /** Collects the caller-supplied parts of a manifest. */
    public static final class Builder {
        private final String family;
        private String createdAt;
        private final Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        private final Map<String, ComponentSpec> components = new LinkedHashMap<>();
        private final Map<String, Object> metrics = new LinkedHashMap<>();
        private final Map<String, String> dataFingerprint = new LinkedHashMap<>();
        private final Map<String, Object> trainingConfig = new LinkedHashMap<>();
        private final Map<String, ServingSpec> serving = new LinkedHashMap<>();

        private Builder(String family) {
            this.family = family;
        }

        public Builder vocabulary(String name, List<String> symbols) {
            vocabularies.put(name, List.copyOf(symbols));
            return this;
        }

        public Builder component(String name, ComponentSpec spec) {
            components.put(name, spec);
            return this;
        }

        public Builder metric(String name, Object value) {
            metrics.put(name, value);
            return this;
        }

        public Builder dataFingerprint(Map<String, String> fingerprint) {
            dataFingerprint.putAll(fingerprint);
            return this;
        }

        public Builder trainingConfig(Map<String, Object> config) {
            trainingConfig.putAll(config);
            return this;
        }

        /** Serving settings for one service role ({@code encoder}, {@code decoder}). */
        public Builder serving(String role, ServingSpec spec) {
            serving.put(role, spec);
            return this;
        }

        public Builder createdAt(Instant when) {
            createdAt = when.toString();
            return this;
        }

        /** A draft: name, version and files are set by {@link BundleWriter}. */
        public Manifest build() {
            return new Manifest(FORMAT_VERSION, null, 0, family, createdAt, vocabularies, components, null,
                    metrics, dataFingerprint, trainingConfig, serving);
        }
    }
}
