package io.crossmodal.runtime.bundle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a single-component family (PVAE, VQ-VAE) puts into a bundle: the component, its files by file name
 * (graphs named {@code <component>_<role>.onnx}, plus any side files), and the serving settings by service role.
 * Families describe their layout with {@link #builder}; the trainer's export and the test fixtures write it.
 */
public record ComponentContent(String family, String name, ComponentSpec component, Map<String, byte[]> files,
        Map<String, ServingSpec> serving) {

    public ComponentContent {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        serving = Map.copyOf(serving);
    }

    /** A manifest draft with the family, the component and the serving settings (metrics added by the caller). */
    public Manifest.Builder manifest() {
        Manifest.Builder b = Manifest.builder(family).component(name, component);
        serving.forEach(b::serving);
        return b;
    }

    /** Starts the content of component {@code name} of {@code type} in a {@code family} bundle. */
    public static Builder builder(String family, String name, String type) {
        return new Builder(family, name, type);
    }

    /** Collects graphs, side files and sizes in order. */
    public static final class Builder {
        private final String family;
        private final String name;
        private final String type;
        private final Map<String, GraphSpec> graphs = new LinkedHashMap<>();
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private final Map<String, Integer> sizes = new LinkedHashMap<>();

        private Builder(String family, String name, String type) {
            this.family = family;
            this.name = name;
            this.type = type;
        }

        /** Adds the graph of a role as {@code <component>_<role>.onnx}; a null graph (a role the model lacks) is skipped. */
        public Builder graph(String role, byte[] graph) {
            if (graph != null) {
                String file = name + "_" + role + ".onnx";
                graphs.put(role, new GraphSpec(file, List.of(), List.of()));
                files.put(file, graph);
            }
            return this;
        }

        public Builder file(String fileName, byte[] content) {
            files.put(fileName, content);
            return this;
        }

        public Builder size(String key, int value) {
            sizes.put(key, value);
            return this;
        }

        public boolean hasGraphs() {
            return !graphs.isEmpty();
        }

        /**
         * The content, served by both service roles with the same settings; {@code limits} (e.g.
         * {@code maxAudioSeconds}) travel as the serving limits (the services' values stay the ceiling).
         */
        public ComponentContent servedByBothRoles(Map<String, Number> limits) {
            ServingSpec s = new ServingSpec(name, null, null, null, limits, null);
            return new ComponentContent(family, name, new ComponentSpec(type, graphs, sizes, null, null), files,
                    Map.of("encoder", s, "decoder", s));
        }
    }
}
