package io.crossmodal.family.vqvae.serving;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.GraphSpec;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ServingSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a VQ-VAE is laid out in a bundle, written by the trainer's export and read by
 * {@link VqvaeServingFamily}: one component {@value #COMPONENT} of type {@value #TYPE} with graphs
 * {@value #ENCODER}, {@value #UNITS} (VQ only), {@value #DECODER_STEP}, {@value #SPEAKER}; sizes
 * {@code frames}, {@code melBins}, {@code latentDim}, {@code codes} (0 unless VQ), {@code stateSize},
 * {@code downsample}; the speakers' names one per line in {@value #SPEAKERS_FILE}.
 */
public final class VqvaeBundleLayout {

    public static final String FAMILY = "vqvae";
    public static final String TYPE = "vqvae";
    public static final String COMPONENT = "vqvae";
    public static final String ENCODER = "encoder";
    public static final String UNITS = "units";
    public static final String DECODER_STEP = "decoder_step";
    public static final String SPEAKER = "speaker";
    public static final String SPEAKERS_FILE = "vqvae_speakers.txt";

    /** The component, its files by name, the serving settings by role. */
    public record Content(ComponentSpec component, Map<String, byte[]> files, Map<String, ServingSpec> serving) {
        public Manifest.Builder manifest() {
            Manifest.Builder b = Manifest.builder(FAMILY).component(COMPONENT, component);
            serving.forEach(b::serving);
            return b;
        }
    }

    private VqvaeBundleLayout() {
    }

    public static Content content(VqvaeWeights w, VqvaeGraphs.Graphs g, Map<String, Number> limits) {
        Map<String, GraphSpec> graphs = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        add(graphs, files, ENCODER, g.encoder());
        add(graphs, files, UNITS, g.units());
        add(graphs, files, DECODER_STEP, g.decoderStep());
        add(graphs, files, SPEAKER, g.speaker());
        files.put(SPEAKERS_FILE, (String.join("\n", w.speakerNames()) + "\n").getBytes(StandardCharsets.UTF_8));
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("frames", w.frames());
        sizes.put("melBins", w.melBins());
        sizes.put("latentDim", w.latentDim());
        sizes.put("codes", w.codes());
        sizes.put("stateSize", w.stateSize());
        sizes.put("downsample", w.downsample());
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
