package io.crossmodal.runtime.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashSet;
import java.util.Set;

/**
 * Thin wrapper over the raw {@code OnnxMl} protobuf builders. We use raw builders rather than
 * Tribuo's ONNXContext because we need exact control over tensor names (they are the bundle
 * contract), optional inputs/outputs (LSTM's empty slots) and opset 17 attribute-vs-input forms.
 */
public final class OnnxGraphBuilder {

    public static final int OPSET = 17;
    /** IR version 8 is the one paired with opset 17. */
    public static final long IR_VERSION = 8;
    public static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    public static final int INT64 = TensorProto.DataType.INT64.getNumber();
    public static final int INT32 = TensorProto.DataType.INT32.getNumber();

    private final OnnxMl.GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private int counter;

    public OnnxGraphBuilder(String graphName) {
        this.graph = OnnxMl.GraphProto.newBuilder().setName(graphName);
    }

    /** Declares a graph input; dims are Integer (static) or String (dim_param). */
    public OnnxGraphBuilder input(String name, int elemType, Object... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
        claim(name);
        return this;
    }

    public OnnxGraphBuilder output(String name, int elemType, Object... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
        return this;
    }

    public String initializer(String name, FloatTensor t) {
        TensorProto.Builder tp = TensorProto.newBuilder().setName(claim(name)).setDataType(FLOAT);
        for (int d : t.shape()) {
            tp.addDims(d);
        }
        // raw_data (little-endian) is much more compact to parse than repeated float_data
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * t.data().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        tp.setRawData(com.google.protobuf.ByteString.copyFrom(buf.array()));
        graph.addInitializer(tp);
        return name;
    }

    /** A constant int64 tensor; {@code scalar} makes it rank 0 (needs exactly one value). */
    public String int64(String name, boolean scalar, long... values) {
        TensorProto.Builder tp = TensorProto.newBuilder().setName(claim(name)).setDataType(INT64);
        if (!scalar) {
            tp.addDims(values.length);
        } else if (values.length != 1) {
            throw new IllegalArgumentException("scalar needs one value");
        }
        for (long v : values) {
            tp.addInt64Data(v);
        }
        graph.addInitializer(tp);
        return name;
    }

    public String floatScalar(String name, float value) {
        graph.addInitializer(TensorProto.newBuilder().setName(claim(name)).setDataType(FLOAT).addFloatData(value));
        return name;
    }

    /** Adds a node with one output; {@code out == null} picks a fresh internal name. */
    public String op(String opType, String out, String[] inputs, AttributeProto... attrs) {
        String output = out == null ? fresh(opType.toLowerCase()) : out;
        node(opType, inputs, new String[] {output}, attrs);
        return output;
    }

    public String op(String opType, String out, String... inputs) {
        return op(opType, out, inputs, new AttributeProto[0]);
    }

    /** Adds a node with any outputs; an empty string leaves an optional slot unused. */
    public void node(String opType, String[] inputs, String[] outputs, AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder()
                .setOpType(opType)
                .setName(opType + "_" + (counter++));
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String o : outputs) {
            if (!o.isEmpty()) {
                claim(o);
            }
            n.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    public String fresh(String prefix) {
        String name;
        do {
            name = prefix + "_" + (counter++);
        } while (names.contains(name));
        return name;
    }

    public byte[] build(String producer) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion("1")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    private String claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate tensor name " + name);
        }
        return name;
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                throw new IllegalArgumentException("dim must be Integer or String: " + d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }
}
