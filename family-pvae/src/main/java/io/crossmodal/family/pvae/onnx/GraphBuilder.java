package io.crossmodal.family.pvae.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * Raw {@code OnnxMl} builders, as core's seq2seq graphs use them (exact tensor names are the
 * contract with the services; opset 17). Core's builder is package-private and is being moved by
 * the module split, so this family keeps its own few lines until the shared one is public.
 */
final class GraphBuilder {

    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();

    private final OnnxMl.GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private int counter;

    GraphBuilder(String name) {
        this.graph = OnnxMl.GraphProto.newBuilder().setName(name);
    }

    GraphBuilder input(String name, Object... dims) {
        graph.addInput(valueInfo(claim(name), dims));
        return this;
    }

    GraphBuilder output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    String floats(String name, float[] values, int... dims) {
        TensorProto.Builder tp = TensorProto.newBuilder().setName(claim(name)).setDataType(FLOAT);
        for (int d : dims) {
            tp.addDims(d);
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        tp.setRawData(ByteString.copyFrom(buf.array()));
        graph.addInitializer(tp);
        return name;
    }

    String int64s(String name, long... values) {
        TensorProto.Builder tp = TensorProto.newBuilder().setName(claim(name))
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            tp.addInt64Data(v);
        }
        graph.addInitializer(tp);
        return name;
    }

    /** Adds a node with one output; a null {@code out} picks a fresh name. */
    String op(String type, String out, String[] inputs, AttributeProto... attrs) {
        String output = out == null ? fresh(type.toLowerCase(java.util.Locale.ROOT)) : claim(out);
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(type).setName(type + "_" + (counter++));
        for (String in : inputs) {
            n.addInput(in);
        }
        n.addOutput(output);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    String op(String type, String out, String... inputs) {
        return op(type, out, inputs, new AttributeProto[0]);
    }

    byte[] build(String producer) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion("1")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private String fresh(String prefix) {
        String name;
        do {
            name = prefix + "_" + (counter++);
        } while (names.contains(name));
        names.add(name);
        return name;
    }

    private String claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate tensor name " + name);
        }
        return name;
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam((String) d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape)))
                .build();
    }
}
