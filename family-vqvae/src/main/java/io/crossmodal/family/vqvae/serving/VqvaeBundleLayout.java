package io.crossmodal.family.vqvae.serving;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.runtime.bundle.ComponentContent;
import java.nio.charset.StandardCharsets;
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

    private VqvaeBundleLayout() {
    }

    /** The bundle content of a model's weights and their graphs; {@code limits} travel as both roles' serving limits. */
    public static ComponentContent content(VqvaeWeights w, VqvaeGraphs.Graphs g, Map<String, Number> limits) {
        return ComponentContent.builder(FAMILY, COMPONENT, TYPE)
                .graph(ENCODER, g.encoder())
                .graph(UNITS, g.units())
                .graph(DECODER_STEP, g.decoderStep())
                .graph(SPEAKER, g.speaker())
                .file(SPEAKERS_FILE, (String.join("\n", w.speakerNames()) + "\n").getBytes(StandardCharsets.UTF_8))
                .size("frames", w.frames()).size("melBins", w.melBins()).size("latentDim", w.latentDim())
                .size("codes", w.codes()).size("stateSize", w.stateSize()).size("downsample", w.downsample())
                .servedByBothRoles(limits);
    }
}
