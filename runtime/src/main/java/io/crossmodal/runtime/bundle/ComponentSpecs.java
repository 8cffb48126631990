package io.crossmodal.runtime.bundle;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the manifest entries for exported components. Signatures are read back from the
 * serialized graphs, so the manifest always describes the files actually written.
 */
public final class ComponentSpecs {

    private ComponentSpecs() {
    }

    public static String encoderFile(String component) {
        return component + ".encoder.onnx";
    }

    public static String decoderStepFile(String component) {
        return component + ".decoder_step.onnx";
    }

    /** {@code prior.step.onnx} for the component named {@code prior}. */
    public static String stepFile(String component) {
        return component + ".step.onnx";
    }

    public static ComponentSpec seq2seq(String component, byte[] encoderModel, byte[] decoderStepModel,
                                        Map<String, Integer> sizes, String sourceVocabulary, String targetVocabulary) {
        Map<String, GraphSpec> graphs = new LinkedHashMap<>();
        graphs.put(ComponentSpec.ROLE_ENCODER, describe(encoderFile(component), encoderModel));
        graphs.put(ComponentSpec.ROLE_DECODER_STEP, describe(decoderStepFile(component), decoderStepModel));
        return new ComponentSpec(ComponentSpec.TYPE_SEQ2SEQ, graphs, sizes, sourceVocabulary, targetVocabulary);
    }

    public static ComponentSpec prior(String component, byte[] stepModel, Map<String, Integer> sizes, String vocabulary) {
        return new ComponentSpec(ComponentSpec.TYPE_PRIOR,
                Map.of(ComponentSpec.ROLE_STEP, describe(stepFile(component), stepModel)), sizes, null, vocabulary);
    }

    /** Reads the input/output signature of a serialized ModelProto. */
    public static GraphSpec describe(String file, byte[] model) {
        OnnxMl.GraphProto g;
        try {
            g = OnnxMl.ModelProto.parseFrom(model).getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(file + " is not a serialized ONNX model", e);
        }
        return new GraphSpec(file, specs(g.getInputList()), specs(g.getOutputList()));
    }

    private static List<TensorSpec> specs(List<OnnxMl.ValueInfoProto> values) {
        List<TensorSpec> out = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : values) {
            OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
            List<String> dims = new ArrayList<>();
            for (OnnxMl.TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                dims.add(d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()));
            }
            String dtype = OnnxMl.TensorProto.DataType.forNumber(t.getElemType()).name().toLowerCase(Locale.ROOT);
            out.add(new TensorSpec(v.getName(), dtype, dims));
        }
        return out;
    }
}
