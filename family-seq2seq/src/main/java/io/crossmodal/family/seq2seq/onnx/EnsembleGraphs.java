package io.crossmodal.family.seq2seq.onnx;

import static io.crossmodal.family.seq2seq.onnx.TensorNames.ATTENTION;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.KEYS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LENGTHS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOGITS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOG_PROBS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MASK;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MEMORY;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.PREV_TOKEN;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.TOKENS;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.crossmodal.runtime.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Composes the encoder and decoder-step graphs of several seq2seq models over the same vocabularies into ONE graph
 * pair with the same tensor contract (DESIGN.md), so an ensemble is served, batched and gated like any single model.
 *
 * <p>The layout is {@link io.crossmodal.family.seq2seq.search.EnsembleStepModel}'s: the encoder runs every member on
 * the shared {@code tokens}/{@code lengths} and concatenates their {@code memory}, {@code keys}, {@code init_h} and
 * {@code init_c} on the last axis, in member order. The step graph slices {@code h}, {@code c}, {@code memory} and
 * {@code keys} back into each member's part, runs each member's own step nodes, concatenates the new states and outputs
 * the mixture {@code log (1/K sum_k p_k)} as both {@code log_probs} and {@code logits} (a log-distribution is its own
 * logits); {@code attention} is the first member's. Each member's nodes and initializers keep their graph, renamed
 * under {@code m<k>/}, so a member computes exactly what it computed alone.
 */
public final class EnsembleGraphs {

    private EnsembleGraphs() {}

    /** The composed encoder of {@code members} (serialized encoder graphs, at least one). */
    public static byte[] encoder(List<byte[]> members) {
        List<ModelProto> models = parse(members, "encoder");
        GraphProto.Builder g = GraphProto.newBuilder().setName("ensemble_encoder");
        GraphProto first = models.get(0).getGraph();
        g.addInput(input(first, TOKENS)).addInput(input(first, LENGTHS));
        Set<String> shared = Set.of(TOKENS, LENGTHS);
        List<Map<String, ValueInfoProto>> outs = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            GraphProto m = models.get(k).getGraph();
            requireSame(first, m, TOKENS, k);
            requireSame(first, m, LENGTHS, k);
            addMember(g, m, k, shared, Map.of());
            outs.add(byName(m.getOutputList()));
        }
        for (String out : List.of(MEMORY, KEYS, INIT_H, INIT_C)) {
            concatLastAxis(g, out, models.size());
            g.addOutput(widened(outs, out));
        }
        return model(models.get(0), g, "crossmodal-seq2seq-ensemble-encoder");
    }

    /** The composed decoder step of {@code members} (serialized step graphs, in the encoder's member order). */
    public static byte[] decoderStep(List<byte[]> members) {
        List<ModelProto> models = parse(members, "decoder step");
        GraphProto.Builder g = GraphProto.newBuilder().setName("ensemble_decoder_step");
        GraphProto first = models.get(0).getGraph();
        int k = models.size();
        List<Map<String, ValueInfoProto>> ins = new ArrayList<>();
        List<Map<String, ValueInfoProto>> outs = new ArrayList<>();
        for (ModelProto m : models) {
            ins.add(byName(m.getGraph().getInputList()));
            outs.add(byName(m.getGraph().getOutputList()));
        }
        int vocab = lastDim(outs.get(0).get(LOG_PROBS), "member 0 " + LOG_PROBS);
        for (int i = 0; i < k; i++) {
            int v = lastDim(outs.get(i).get(LOG_PROBS), "member " + i + " " + LOG_PROBS);
            if (v != vocab) {
                throw new IllegalArgumentException("ensemble members have different output vocabularies: member " + i
                        + " has " + v + " symbols, member 0 " + vocab);
            }
            requireSame(first, models.get(i).getGraph(), PREV_TOKEN, i);
            requireSame(first, models.get(i).getGraph(), MASK, i);
        }
        // the composed inputs: shared ones as they are, carried ones as wide as all members' parts together
        g.addInput(input(first, PREV_TOKEN));
        for (String carried : List.of(H, C, MEMORY, KEYS)) {
            g.addInput(widened(ins, carried));
        }
        g.addInput(input(first, MASK));

        String axisLast = constInt64(g, "ensemble/axis_last", -1);
        Map<String, Integer> offsets = new HashMap<>();
        for (int i = 0; i < k; i++) {
            Map<String, String> sliced = new HashMap<>();
            for (String carried : List.of(H, C, MEMORY, KEYS)) {
                int width = lastDim(ins.get(i).get(carried), "member " + i + " " + carried);
                int from = offsets.getOrDefault(carried, 0);
                String start = constInt64(g, "ensemble/m" + i + "/" + carried + "_start", from);
                String end = constInt64(g, "ensemble/m" + i + "/" + carried + "_end", from + width);
                String out = prefix(i, carried);
                g.addNode(node("Slice", "ensemble/m" + i + "/slice_" + carried, List.of(carried, start, end, axisLast),
                        List.of(out)));
                sliced.put(carried, out);
                offsets.put(carried, from + width);
            }
            addMember(g, models.get(i).getGraph(), i, Set.of(PREV_TOKEN, MASK), sliced);
        }
        concatLastAxis(g, H_OUT, k);
        concatLastAxis(g, C_OUT, k);

        // log (1/K sum_k exp(log p_k)), stably: stack [K, N, V], ReduceLogSumExp over K, minus log K
        String axis0 = constInt64(g, "ensemble/axis0", 0);
        List<String> stacked = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            String u = "ensemble/m" + i + "/log_probs_1nv";
            g.addNode(node("Unsqueeze", u, List.of(prefix(i, LOG_PROBS), axis0), List.of(u)));
            stacked.add(u);
        }
        String all = "ensemble/log_probs_knv";
        g.addNode(node("Concat", all, stacked, List.of(all), OnnxGraphBuilder.attr("axis", 0)));
        String lse = "ensemble/log_sum";
        g.addNode(node("ReduceLogSumExp", lse, List.of(all), List.of(lse), OnnxGraphBuilder.attrInts("axes", 0),
                OnnxGraphBuilder.attr("keepdims", 0)));
        String logK = "ensemble/log_k";
        g.addInitializer(TensorProto.newBuilder().setName(logK).setDataType(OnnxGraphBuilder.FLOAT)
                .addFloatData((float) Math.log(k)));
        g.addNode(node("Sub", LOG_PROBS, List.of(lse, logK), List.of(LOG_PROBS)));
        g.addNode(node("Identity", LOGITS, List.of(LOG_PROBS), List.of(LOGITS)));
        g.addNode(node("Identity", ATTENTION, List.of(prefix(0, ATTENTION)), List.of(ATTENTION)));

        g.addOutput(outs.get(0).get(LOGITS)).addOutput(outs.get(0).get(LOG_PROBS));
        g.addOutput(widened(outs, H_OUT)).addOutput(widened(outs, C_OUT)).addOutput(outs.get(0).get(ATTENTION));
        return model(models.get(0), g, "crossmodal-seq2seq-ensemble-decoder-step");
    }

    private static List<ModelProto> parse(List<byte[]> members, String what) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member " + what + " graph");
        }
        List<ModelProto> out = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            ModelProto m;
            try {
                m = ModelProto.parseFrom(members.get(i));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("member " + i + "'s " + what + " graph is not an ONNX model: " + e.getMessage(), e);
            }
            // the composed graph has one opset import: every member must have been built against it
            if (!out.isEmpty() && !m.getOpsetImportList().equals(out.get(0).getOpsetImportList())) {
                throw new IllegalArgumentException("member " + i + "'s " + what + " graph imports other opsets ("
                        + m.getOpsetImportList() + ") than member 0's");
            }
            out.add(m);
        }
        return out;
    }

    /**
     * Copies member {@code k}'s initializers and nodes into {@code g}: every tensor name under {@code m<k>/}, except the
     * {@code shared} graph inputs (kept) and the {@code bound} ones (the composed graph's tensor that feeds them).
     */
    private static void addMember(GraphProto.Builder g, GraphProto m, int k, Set<String> shared, Map<String, String> bound) {
        java.util.function.UnaryOperator<String> rename = name -> {
            if (name.isEmpty() || shared.contains(name)) {
                return name; // an unused optional slot, or a shared input
            }
            return bound.getOrDefault(name, prefix(k, name));
        };
        for (TensorProto t : m.getInitializerList()) {
            g.addInitializer(t.toBuilder().setName(rename.apply(t.getName())));
        }
        for (NodeProto n : m.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG() || a.getGraphsCount() > 0) {
                    throw new IllegalArgumentException("member " + k + " has a node with a subgraph (" + n.getOpType()
                            + "); only flat graphs can be composed");
                }
            }
            NodeProto.Builder b = n.toBuilder().clearInput().clearOutput().setName(prefix(k, n.getName()));
            n.getInputList().forEach(i -> b.addInput(rename.apply(i)));
            n.getOutputList().forEach(o -> b.addOutput(rename.apply(o)));
            g.addNode(b);
        }
    }

    /** {@code out} = the members' {@code m<k>/out} concatenated on the last axis, in member order. */
    private static void concatLastAxis(GraphProto.Builder g, String out, int k) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            parts.add(prefix(i, out));
        }
        g.addNode(node("Concat", out, parts, List.of(out), OnnxGraphBuilder.attr("axis", -1)));
    }

    /** The value info of {@code name} with its last (static) dimension summed over the members. */
    private static ValueInfoProto widened(List<Map<String, ValueInfoProto>> members, String name) {
        int total = 0;
        for (int i = 0; i < members.size(); i++) {
            total += lastDim(members.get(i).get(name), "member " + i + " " + name);
        }
        ValueInfoProto first = members.get(0).get(name);
        TensorShapeProto.Builder shape = first.getType().getTensorType().getShape().toBuilder();
        int last = shape.getDimCount() - 1;
        shape.setDim(last, TensorShapeProto.Dimension.newBuilder().setDimValue(total));
        TypeProto.Tensor.Builder tensor = first.getType().getTensorType().toBuilder().setShape(shape);
        return first.toBuilder().setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static int lastDim(ValueInfoProto v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + ": no such tensor in the member's graph (not a seq2seq graph)");
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        if (shape.getDimCount() == 0 || !shape.getDim(shape.getDimCount() - 1).hasDimValue()) {
            throw new IllegalArgumentException(what + ": the last dimension must be static to compose an ensemble");
        }
        return (int) shape.getDim(shape.getDimCount() - 1).getDimValue();
    }

    private static ValueInfoProto input(GraphProto g, String name) {
        ValueInfoProto v = byName(g.getInputList()).get(name);
        if (v == null) {
            throw new IllegalArgumentException("member graph has no input '" + name + "' (not a seq2seq graph)");
        }
        return v;
    }

    private static void requireSame(GraphProto first, GraphProto m, String name, int k) {
        if (!input(first, name).getType().equals(input(m, name).getType())) {
            throw new IllegalArgumentException("member " + k + "'s input '" + name + "' differs from member 0's");
        }
    }

    private static Map<String, ValueInfoProto> byName(List<ValueInfoProto> values) {
        Map<String, ValueInfoProto> out = new HashMap<>();
        values.forEach(v -> out.put(v.getName(), v));
        return out;
    }

    private static String constInt64(GraphProto.Builder g, String name, long value) {
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(OnnxGraphBuilder.INT64).addDims(1).addInt64Data(value));
        return name;
    }

    private static NodeProto node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static String prefix(int k, String name) {
        return "m" + k + "/" + name;
    }

    private static byte[] model(ModelProto first, GraphProto.Builder g, String producer) {
        return ModelProto.newBuilder()
                .setIrVersion(first.getIrVersion())
                .setProducerName(producer)
                .setProducerVersion("1")
                .addAllOpsetImport(first.getOpsetImportList())
                .setGraph(g)
                .build()
                .toByteArray();
    }

}
