package io.ringfold.serving.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse.InferOutputTensor;
import io.ringfold.serving.inference.BadInputException;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.Signature;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between protobuf tensors and the protocol-neutral forms: an input tensor (typed
 * {@code contents} or one {@code raw_input_contents} entry) becomes the JSON tensor that
 * {@link io.ringfold.serving.inference.TensorDecoder} checks for HTTP too, so both protocols share every
 * check and message; outputs become typed contents or raw little-endian bytes.
 */
final class GrpcTensors {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GrpcTensors() {
    }

    /** The tensor as {name, datatype, shape, data}; {@code raw} is its raw_input_contents entry or null. */
    static ObjectNode toJson(InferInputTensor in, ByteString raw) {
        ObjectNode n = NODES.objectNode();
        n.put("name", in.getName());
        n.put("datatype", in.getDatatype());
        ArrayNode shape = n.putArray("shape");
        for (long d : in.getShapeList()) {
            shape.add(d);
        }
        String where = "input '" + in.getName() + "'";
        ArrayNode data = n.putArray("data");
        if (raw != null) {
            if (hasTypedContents(in.getContents())) {
                throw new BadInputException(where + ": both contents and raw_input_contents set (expected: one of them)");
            }
            readRaw(where, in.getDatatype(), raw, data);
        } else {
            readTyped(where, in.getDatatype(), in.getContents(), data);
        }
        return n;
    }

    private static boolean hasTypedContents(InferTensorContents c) {
        return c.getBoolContentsCount() + c.getIntContentsCount() + c.getInt64ContentsCount() + c.getUintContentsCount()
                + c.getUint64ContentsCount() + c.getFp32ContentsCount() + c.getFp64ContentsCount()
                + c.getBytesContentsCount() > 0;
    }

    /** The contents field a datatype uses (KServe's table), or null for one without (FP16, BF16). */
    private static String typedField(String datatype) {
        return switch (datatype) {
            case "BOOL" -> "bool_contents";
            case "INT8", "INT16", "INT32" -> "int_contents";
            case "INT64" -> "int64_contents";
            case "UINT8", "UINT16", "UINT32" -> "uint_contents";
            case "UINT64" -> "uint64_contents";
            case "FP32" -> "fp32_contents";
            case "FP64" -> "fp64_contents";
            case "BYTES" -> "bytes_contents";
            default -> null;
        };
    }

    private static void readTyped(String where, String datatype, InferTensorContents c, ArrayNode data) {
        String field = typedField(datatype);
        // Values in another field than the datatype's would be silently ignored: refuse them by name.
        List<String> set = new ArrayList<>();
        addIf(set, "bool_contents", c.getBoolContentsCount());
        addIf(set, "int_contents", c.getIntContentsCount());
        addIf(set, "int64_contents", c.getInt64ContentsCount());
        addIf(set, "uint_contents", c.getUintContentsCount());
        addIf(set, "uint64_contents", c.getUint64ContentsCount());
        addIf(set, "fp32_contents", c.getFp32ContentsCount());
        addIf(set, "fp64_contents", c.getFp64ContentsCount());
        addIf(set, "bytes_contents", c.getBytesContentsCount());
        set.remove(field);
        if (!set.isEmpty()) {
            throw new BadInputException(where + ": contents." + set.get(0) + " set for datatype " + datatype
                    + " (expected: " + (field == null ? "raw_input_contents" : "contents." + field) + ")");
        }
        if (field == null) {
            return; // the decoder names the datatype or the missing elements
        }
        switch (field) {
            case "bool_contents" -> c.getBoolContentsList().forEach(data::add);
            case "int_contents" -> c.getIntContentsList().forEach(data::add);
            case "int64_contents" -> c.getInt64ContentsList().forEach(data::add);
            case "uint_contents" -> c.getUintContentsList().forEach(v -> data.add(Integer.toUnsignedLong(v)));
            case "uint64_contents" -> c.getUint64ContentsList().forEach(v -> addUnsigned(data, v));
            case "fp32_contents" -> c.getFp32ContentsList().forEach(data::add);
            case "fp64_contents" -> c.getFp64ContentsList().forEach(data::add);
            default -> c.getBytesContentsList().forEach(b -> data.add(b.toStringUtf8()));
        }
    }

    private static void addIf(List<String> set, String field, int count) {
        if (count > 0) {
            set.add(field);
        }
    }

    private static void addUnsigned(ArrayNode data, long v) {
        if (v >= 0) {
            data.add(v);
        } else {
            data.add(new BigInteger(Long.toUnsignedString(v)));
        }
    }

    /** Row-major little-endian elements; BYTES elements are a 4-byte little-endian length, then the bytes. */
    private static void readRaw(String where, String datatype, ByteString raw, ArrayNode data) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if ("BYTES".equals(datatype)) {
            while (b.hasRemaining()) {
                int len = b.remaining() >= 4 ? b.getInt() : -1;
                if (len < 0 || len > b.remaining()) {
                    throw new BadInputException(where + ": raw_input_contents element " + data.size()
                            + " is cut off (expected: a 4-byte little-endian length, then that many bytes)");
                }
                byte[] s = new byte[len];
                b.get(s);
                data.add(new String(s, StandardCharsets.UTF_8));
            }
            return;
        }
        int size = switch (datatype) {
            case "INT8", "UINT8", "BOOL" -> 1;
            case "INT16", "UINT16", "FP16", "BF16" -> 2;
            case "INT32", "UINT32", "FP32" -> 4;
            case "INT64", "UINT64", "FP64" -> 8;
            default -> 0; // unknown: the decoder names the datatype
        };
        if (size == 0) {
            return;
        }
        if (raw.size() % size != 0) {
            throw new BadInputException(where + ": raw_input_contents has " + raw.size() + " bytes (expected: a multiple of "
                    + size + " for datatype " + datatype + ")");
        }
        while (b.hasRemaining()) {
            switch (datatype) {
                case "INT8" -> data.add(b.get());
                case "UINT8" -> data.add(Byte.toUnsignedInt(b.get()));
                case "INT16" -> data.add(b.getShort());
                case "UINT16" -> data.add(Short.toUnsignedInt(b.getShort()));
                case "INT32" -> data.add(b.getInt());
                case "UINT32" -> data.add(Integer.toUnsignedLong(b.getInt()));
                case "INT64" -> data.add(b.getLong());
                case "UINT64" -> addUnsigned(data, b.getLong());
                case "FP32" -> data.add(b.getFloat());
                case "FP64" -> data.add(b.getDouble());
                default -> throw new BadInputException(where + ": datatype " + datatype + " in raw_input_contents"
                        + " (expected: FP32, FP64, INT8..64, UINT8..64 or BYTES)");
            }
        }
    }

    /** The output tensor's header, and its values as typed contents or (when {@code raw}) appended to rawOut. */
    static InferOutputTensor output(Signature s, String name, Outputs out, boolean raw, List<ByteString> rawOut) {
        InferOutputTensor.Builder t = InferOutputTensor.newBuilder().setName(name).setDatatype(s.outputDatatype(name))
                .addShape(out.rows());
        boolean probabilities = Signature.PROBABILITIES.equals(name);
        if (probabilities) {
            t.addShape(s.classNames().size());
        }
        if (Signature.CLASS.equals(name)) {
            List<ByteString> names = new ArrayList<>(out.rows());
            int bytes = 0;
            for (int r = 0; r < out.rows(); r++) {
                ByteString c = ByteString.copyFromUtf8(out.className(r));
                names.add(c);
                bytes += 4 + c.size();
            }
            if (raw) {
                ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                for (ByteString c : names) {
                    b.putInt(c.size());
                    c.copyTo(b);
                }
                rawOut.add(ByteString.copyFrom(b.array()));
            } else {
                t.setContents(InferTensorContents.newBuilder().addAllBytesContents(names));
            }
            return t.build();
        }
        int width = probabilities ? s.classNames().size() : 1;
        float[] values = new float[out.rows() * width];
        for (int r = 0; r < out.rows(); r++) {
            if (probabilities) {
                System.arraycopy(out.probabilities(r), 0, values, r * width, width);
            } else {
                values[r] = out.value(r);
            }
        }
        if (raw) {
            ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            rawOut.add(ByteString.copyFrom(b.array()));
        } else {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (float v : values) {
                c.addFp32Contents(v);
            }
            t.setContents(c);
        }
        return t.build();
    }
}
