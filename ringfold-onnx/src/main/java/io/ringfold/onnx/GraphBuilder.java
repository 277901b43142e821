package io.ringfold.onnx;

import com.google.protobuf.ByteString;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Appends nodes and constants to an ONNX graph under names it makes unique ({@code dense_0/weight},
 * {@code gemm_3}), so that the writers of each part of the graph only say what they compute. Values are named
 * by the strings it returns. Not thread-safe; one per export.
 */
final class GraphBuilder {

    /** The ONNX ML operator set's domain (LabelEncoder). */
    static final String ML_DOMAIN = "ai.onnx.ml";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private boolean usesMl;

    /** {@code base}, or {@code base_1}, {@code base_2}, ... when taken. */
    String fresh(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Reserves a name the graph's interface fixes ({@code input}, {@code probabilities}). */
    void reserve(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("name " + name + " taken twice");
        }
    }

    /** Whether some node is of the ONNX ML domain, so the model must import it. */
    boolean usesMl() {
        return usesMl;
    }

    GraphProto.Builder graph() {
        return graph;
    }

    /** A node of {@code op} on {@code inputs} with one output, named after the op; returns the output's name. */
    String op(String op, List<String> inputs, AttributeProto... attributes) {
        return opInto(op, fresh(op.toLowerCase(java.util.Locale.ROOT)), inputs, attributes);
    }

    /** A node of {@code op} whose one output is {@code output} (a name from {@link #fresh} or {@link #reserve}). */
    String opInto(String op, String output, List<String> inputs, AttributeProto... attributes) {
        return add("", op, output, inputs, attributes);
    }

    /** A node of the ONNX ML domain. */
    String mlOp(String op, List<String> inputs, AttributeProto... attributes) {
        usesMl = true;
        return add(ML_DOMAIN, op, fresh(op.toLowerCase(java.util.Locale.ROOT)), inputs, attributes);
    }

    private String add(String domain, String op, String output, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output);
        if (!domain.isEmpty()) {
            n.setDomain(domain);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    /** A float32 constant of shape {@code dims}, stored as little-endian raw data. */
    String floats(String base, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(base, TensorProto.DataType.FLOAT, ByteString.copyFrom(b.array()), dims);
    }

    /** An int64 constant of shape {@code dims}. */
    String longs(String base, long[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return initializer(base, TensorProto.DataType.INT64, ByteString.copyFrom(b.array()), dims);
    }

    /** A string constant of shape {@code dims}, UTF-8. */
    String strings(String base, List<String> values, long... dims) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.STRING.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (String v : values) {
            t.addStringData(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        }
        graph.addInitializer(t);
        return name;
    }

    private String initializer(String base, TensorProto.DataType type, ByteString raw, long... dims) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto stringsAttr(String name, List<String> values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            a.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        }
        return a.build();
    }

    /** The type of a {@code Cast}'s {@code to}. */
    static AttributeProto castTo(TensorProto.DataType type) {
        return intAttr("to", type.getNumber());
    }
}
