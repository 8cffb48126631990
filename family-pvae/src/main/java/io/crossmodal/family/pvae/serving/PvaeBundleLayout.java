package io.crossmodal.family.pvae.serving;

import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.runtime.bundle.ComponentContent;
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

    private PvaeBundleLayout() {
    }

    /**
     * The bundle content of a model's weights and their graphs; {@code limits} (e.g. {@code maxAudioSeconds})
     * travel as both roles' serving limits (the services' values stay the ceiling).
     */
    public static ComponentContent content(PvaeWeights w, OrtPvae.Graphs g, Map<String, Number> limits) {
        ComponentContent.Builder b = ComponentContent.builder(FAMILY, COMPONENT, TYPE)
                .graph(SPEECH_ENCODER, g.speechEncoder())
                .graph(IMAGE_ENCODER, g.imageEncoder())
                .graph(SPEECH_DECODER, g.speechDecoder())
                .graph(IMAGE_DECODER, g.imageDecoder());
        if (!b.hasGraphs()) {
            throw new IllegalArgumentException("a PVAE bundle needs at least one graph");
        }
        var dec = w.imageDecoder() != null ? w.imageDecoder() : w.speechDecoder();
        var enc = w.imageEncoder() != null ? w.imageEncoder() : w.speechEncoder();
        int shared = dec != null ? dec.sharedDim() : enc.shared().dim();
        int style = dec != null ? dec.styleDim() : (enc.hasStyle() ? enc.style().dim() : 0);
        return b.size("frames", w.frames()).size("melBins", w.melBins()).size("sharedDim", shared).size("styleDim", style)
                .servedByBothRoles(limits);
    }
}
