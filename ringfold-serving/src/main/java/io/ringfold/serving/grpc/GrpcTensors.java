package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.RawTensors;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferResponse.InferOutputTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Protobuf tensors decoded straight into {@link Tensor}s and encoded from them: an input's typed
 * {@code contents} (the field KServe's table names for its datatype) or its {@code raw_input_contents}
 * entry (little-endian elements, BYTES elements each a 4-byte little-endian length then the bytes), checked
 * against the datatype and the shape before any array is allocated; outputs as typed contents or raw bytes.
 */
final class GrpcTensors {

    private GrpcTensors() {
    }

    /** The tensor; {@code raw} is its raw_input_contents entry or null. */
    static Tensor input(InferInputTensor in, ByteString raw) {
        String where = "input '" + in.getName() + "'";
        DataType datatype = DataType.parse(in.getDatatype());
        if (datatype == null) {
            throw new BadInputException(where + ": datatype '" + in.getDatatype() + "' (expected: one of "
                    + Arrays.toString(DataType.values()) + ")");
        }
        long[] shape = new long[in.getShapeCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = in.getShape(i);
            if (shape[i] < 0) {
                throw new BadInputException(where + ": shape " + in.getShapeList() + " (expected: non-negative integers)");
            }
        }
        long count = Tensor.elementCount(shape);
        if (count < 0) {
            throw new BadInputException(where + ": shape " + in.getShapeList() + " (expected: at most "
                    + Integer.MAX_VALUE + " elements)");
        }
        Object data;
        if (raw != null) {
            if (hasTypedContents(in.getContents())) {
                throw new BadInputException(where + ": both contents and raw_input_contents set (expected: one of them)");
            }
            data = RawTensors.decode(where, datatype, (int) count, raw.asReadOnlyByteBuffer());
        } else {
            data = typed(where, datatype, (int) count, in.getContents());
        }
        return new Tensor(in.getName(), datatype, shape, data);
    }

    private static boolean hasTypedContents(InferTensorContents c) {
        return c.getBoolContentsCount() + c.getIntContentsCount() + c.getInt64ContentsCount() + c.getUintContentsCount()
                + c.getUint64ContentsCount() + c.getFp32ContentsCount() + c.getFp64ContentsCount()
                + c.getBytesContentsCount() > 0;
    }

    /** The contents field a datatype uses (KServe's table), or null for one without (FP16, BF16). */
    private static String typedField(DataType datatype) {
        return switch (datatype) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            case BYTES -> "bytes_contents";
            case FP16, BF16 -> null;
        };
    }

    private static Object typed(String where, DataType datatype, int count, InferTensorContents c) {
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
        if (!set.isEmpty() || field == null) {
            throw new BadInputException(where + ": " + (set.isEmpty() ? "no contents" : "contents." + set.get(0) + " set")
                    + " for datatype " + datatype + " (expected: "
                    + (field == null ? "raw_input_contents" : "contents." + field) + ")");
        }
        int n = switch (field) {
            case "bool_contents" -> c.getBoolContentsCount();
            case "int_contents" -> c.getIntContentsCount();
            case "int64_contents" -> c.getInt64ContentsCount();
            case "uint_contents" -> c.getUintContentsCount();
            case "uint64_contents" -> c.getUint64ContentsCount();
            case "fp32_contents" -> c.getFp32ContentsCount();
            case "fp64_contents" -> c.getFp64ContentsCount();
            default -> c.getBytesContentsCount();
        };
        if (n != count) {
            throw new BadInputException(where + ": contents." + field + " has " + n + " elements (expected: " + count
                    + " for its shape)");
        }
        switch (datatype) {
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getBoolContents(i);
                }
                return a;
            }
            case INT8, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = inRange(where, datatype, i, c.getIntContents(i));
                }
                return a;
            }
            case UINT8, UINT16 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (int) inRange(where, datatype, i, Integer.toUnsignedLong(c.getUintContents(i)));
                }
                return a;
            }
            case UINT32 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Integer.toUnsignedLong(c.getUintContents(i));
                }
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getInt64Contents(i);
                }
                return a;
            }
            case UINT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getUint64Contents(i);
                }
                return a;
            }
            case FP32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getFp32Contents(i);
                }
                return a;
            }
            case FP64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getFp64Contents(i);
                }
                return a;
            }
            default -> {
                byte[][] a = new byte[n][];
                for (int i = 0; i < n; i++) {
                    a[i] = c.getBytesContents(i).toByteArray();
                }
                return a;
            }
        }
    }

    private static int inRange(String where, DataType datatype, int i, long v) {
        if (!datatype.contains(v)) {
            throw new BadInputException(where + ": element " + i + " is " + v + " (expected: an integer from "
                    + datatype.min() + " to " + datatype.max() + " for datatype " + datatype + ")");
        }
        return (int) v;
    }

    private static void addIf(List<String> set, String field, int count) {
        if (count > 0) {
            set.add(field);
        }
    }

    /** The output tensor's header, and its values as typed contents or (when {@code raw}) appended to rawOut. */
    static InferOutputTensor output(Tensor out, boolean raw, List<ByteString> rawOut) {
        InferOutputTensor.Builder t = InferOutputTensor.newBuilder().setName(out.name())
                .setDatatype(out.datatype().name());
        for (int d = 0; d < out.rank(); d++) {
            t.addShape(out.dim(d));
        }
        if (raw) {
            rawOut.add(ByteString.copyFrom(RawTensors.encode(out)));
            return t.build();
        }
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        switch (out.datatype()) {
            case BOOL -> {
                for (boolean v : out.bools()) {
                    c.addBoolContents(v);
                }
            }
            case INT8, INT16, INT32 -> {
                for (int v : out.ints()) {
                    c.addIntContents(v);
                }
            }
            case UINT8, UINT16 -> {
                for (int v : out.ints()) {
                    c.addUintContents(v);
                }
            }
            case UINT32 -> {
                for (long v : out.longs()) {
                    c.addUintContents((int) v);
                }
            }
            case INT64 -> {
                for (long v : out.longs()) {
                    c.addInt64Contents(v);
                }
            }
            case UINT64 -> {
                for (long v : out.longs()) {
                    c.addUint64Contents(v);
                }
            }
            case FP32 -> {
                for (float v : out.floats()) {
                    c.addFp32Contents(v);
                }
            }
            case FP64 -> {
                for (double v : out.doubles()) {
                    c.addFp64Contents(v);
                }
            }
            case BYTES -> {
                for (byte[] v : out.bytes()) {
                    c.addBytesContents(ByteString.copyFrom(v));
                }
            }
            case FP16, BF16 -> throw new IllegalStateException(out + ": no typed contents field (expected: raw)");
        }
        return t.setContents(c).build();
    }

    /** Whether {@code out} can only travel raw: FP16 and BF16 have no typed contents field. */
    static boolean rawOnly(Tensor out) {
        return out.datatype() == DataType.FP16 || out.datatype() == DataType.BF16;
    }
}
