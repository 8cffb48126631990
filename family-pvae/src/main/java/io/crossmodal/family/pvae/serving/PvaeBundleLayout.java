package io.crossmodal.family.pvae.serving;

import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.GraphSpec;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ServingSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a PVAE is laid out in a bundle, written by the trainer's export and read by
 * {@link PvaeServingFamily}: one component {@value #COMPONENT} of type {@value #TYPE} whose graphs are
 * the unimodal encoders and decoders the model has (roles {@value #SPEECH_ENCODER},
 * {@value #IMAGE_ENCODER}, {@value #SPEECH_DECODER}, {@value #IMAGE_DECODER}) and whose sizes are
 * {@code frames}, {@code melBins}, {@code sharedDim}, {@code styleDim}; both service roles serve it.
 */
public final class PvaeBundleLayout {

    public static final String FAMILY = "pvae";
    public static final String TYPE = "pvae";
    public static final String COMPONENT = "pvae";
    public static final String SPEECH_ENCODER = "speech_encoder";
    public static final String IMAGE_ENCODER = "image_encoder";
    public static final String SPEECH_DECODER = "speech_decoder";
    public static final String IMAGE_DECODER = "image_decoder";

    /** What the bundle holds: the component, its graph files by file name, the serving settings by role. */
    public record Content(ComponentSpec component, Map<String, byte[]> files, Map<String, ServingSpec> serving) {
        /** A manifest draft with the family, the component and the serving settings (metrics added by the caller). */
        public Manifest.Builder manifest() {
            Manifest.Builder b = Manifest.builder(FAMILY).component(COMPONENT, component);
            serving.forEach(b::serving);
            return b;
        }
    }

    private PvaeBundleLayout() {
    }

    /**
     * The bundle content of a model's weights and their graphs; {@code limits} (e.g. {@code maxAudioSeconds})
     * travel as both roles' serving limits (the services' values stay the ceiling).
     */
    public static Content content(PvaeWeights w, OrtPvae.Graphs g, Map<String, Number> limits) {
        Map<String, GraphSpec> graphs = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        add(graphs, files, SPEECH_ENCODER, g.speechEncoder());
        add(graphs, files, IMAGE_ENCODER, g.imageEncoder());
        add(graphs, files, SPEECH_DECODER, g.speechDecoder());
        add(graphs, files, IMAGE_DECODER, g.imageDecoder());
        if (graphs.isEmpty()) {
            throw new IllegalArgumentException("a PVAE bundle needs at least one graph");
        }
        var dec = w.imageDecoder() != null ? w.imageDecoder() : w.speechDecoder();
        var enc = w.imageEncoder() != null ? w.imageEncoder() : w.speechEncoder();
        int shared = dec != null ? dec.sharedDim() : enc.shared().dim();
        int style = dec != null ? dec.styleDim() : (enc.hasStyle() ? enc.style().dim() : 0);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("frames", w.frames());
        sizes.put("melBins", w.melBins());
        sizes.put("sharedDim", shared);
        sizes.put("styleDim", style);
        ComponentSpec spec = new ComponentSpec(TYPE, graphs, sizes, null, null);
        ServingSpec serving = new ServingSpec(COMPONENT, null, null, null, limits, null);
        return new Content(spec, files, Map.of("encoder", serving, "decoder", serving));
    }

    private static void add(Map<String, GraphSpec> graphs, Map<String, byte[]> files, String role, byte[] graph) {
        if (graph != null) {
            String file = COMPONENT + "_" + role + ".onnx";
            graphs.put(role, new GraphSpec(file, List.of(), List.of()));
            files.put(file, graph);
        }
    }
}
