package io.crossmodal.runtime.bundle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model component of a bundle (e.g. {@code g2p}, {@code p2g}, {@code prior}): its graphs by role
 * ({@code encoder}, {@code decoder_step}, {@code step}), sizes, and the names of the vocabularies
 * (keys of {@link Manifest#vocabularies()}) its ids refer to. {@code sourceVocabulary} is null for
 * the unconditional prior.
 */
public record ComponentSpec(
        String type,
        Map<String, GraphSpec> graphs,
        Map<String, Integer> sizes,
        String sourceVocabulary,
        String targetVocabulary) {

    public static final String TYPE_SEQ2SEQ = "seq2seq";
    public static final String TYPE_PRIOR = "prior";
    public static final String ROLE_ENCODER = "encoder";
    public static final String ROLE_DECODER_STEP = "decoder_step";
    public static final String ROLE_STEP = "step";

    public ComponentSpec {
        graphs = graphs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(graphs));
        sizes = sizes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
    }

    /** The graph for a role; IllegalArgumentException naming the roles present if absent. */
    public GraphSpec graph(String role) {
        GraphSpec g = graphs.get(role);
        if (g == null) {
            throw new IllegalArgumentException("component has no '" + role + "' graph (has " + graphs.keySet() + ")");
        }
        return g;
    }
}
