package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.RawTensors;
import io.ringfold.serving.core.Tensor;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TensorFlow's {@code TensorProto} decoded straight into {@link Tensor}s and encoded from them. An input carries
 * its values either in {@code tensor_content} (row-major, little-endian, as TensorFlow's clients write it; not
 * for DT_STRING) or in the one typed {@code *_val} field its dtype uses (tensor.proto's table); the count is
 * checked against the shape before any array is allocated, and values in another field are refused by name
 * rather than ignored. TensorFlow's shorthand of one value repeated to fill the shape is refused too: it would
 * let a request of a few bytes commit gigabytes. Outputs carry numbers in {@code tensor_content} and strings in
 * {@code string_val}.
 */
final class TfTensorProtos {

    private TfTensorProtos() {
    }

    /** The datatype TensorFlow's {@code dtype} names, or null for one the protocols do not define (DT_COMPLEX64...). */
    static DataType datatype(org.tensorflow.framework.DataType dtype) {
        for (DataType t : DataType.values()) {
            if (t.tensorflowName().equals(dtype.name())) {
                return t;
            }
        }
        return null;
    }

    /** TensorFlow's {@code dtype} for a datatype. */
    static org.tensorflow.framework.DataType dtype(DataType datatype) {
        return org.tensorflow.framework.DataType.valueOf(datatype.tensorflowName());
    }

    /** The tensor named {@code name}; messages call it {@code input 'name'}. */
    static Tensor input(String name, TensorProto p) {
        String where = "input '" + name + "'";
        DataType datatype = datatype(p.getDtype());
        if (datatype == null) {
            throw new BadInputException(where + ": dtype " + p.getDtype() + " (expected: one of " + supported() + ")");
        }
        long[] shape = shape(where, p.getTensorShape());
        long count = Tensor.elementCount(shape);
        if (count < 0) {
            throw new BadInputException(where + ": tensor_shape " + Arrays.toString(shape) + " (expected: at most "
                    + Integer.MAX_VALUE + " elements)");
        }
        List<String> set = valueFields(p);
        String field = typedField(datatype);
        Object data;
        if (!p.getTensorContent().isEmpty()) {
            if (datatype == DataType.BYTES) {
                throw new BadInputException(where + ": tensor_content set for dtype DT_STRING (expected: string_val)");
            }
            if (!set.isEmpty()) {
                throw new BadInputException(where + ": both tensor_content and " + set.get(0) + " set (expected: one of them)");
            }
            data = RawTensors.decode(where, datatype, (int) count, p.getTensorContent().asReadOnlyByteBuffer());
        } else {
            set.remove(field);
            if (!set.isEmpty()) {
                throw new BadInputException(where + ": " + set.get(0) + " set for dtype " + p.getDtype() + " (expected: "
                        + field + " or tensor_content)");
            }
            int n = typedCount(datatype, p);
            if (n != count) {
                throw new BadInputException(where + ": " + field + " has " + n + " values (expected: " + count
                        + " for tensor_shape " + Arrays.toString(shape) + ")");
            }
            data = typed(where, datatype, n, p);
        }
        return new Tensor(name, datatype, shape, data);
    }

    private static long[] shape(String where, TensorShapeProto s) {
        if (s.getUnknownRank()) {
            throw new BadInputException(where + ": tensor_shape.unknown_rank set (expected: the tensor's dimensions)");
        }
        long[] shape = new long[s.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.getDim(i).getSize();
            if (shape[i] < 0) {
                throw new BadInputException(where + ": tensor_shape.dim[" + i + "].size is " + shape[i]
                        + " (expected: a non-negative integer)");
            }
        }
        return shape;
    }

    private static String supported() {
        List<String> names = new ArrayList<>();
        for (DataType t : DataType.values()) {
            names.add(t.tensorflowName());
        }
        return names.toString();
    }

    /** The typed field tensor.proto assigns to a datatype. */
    private static String typedField(DataType datatype) {
        return switch (datatype) {
            case BOOL -> "bool_val";
            case INT8, INT16, INT32, UINT8, UINT16 -> "int_val";
            case INT64 -> "int64_val";
            case UINT32 -> "uint32_val";
            case UINT64 -> "uint64_val";
            case FP16, BF16 -> "half_val";
            case FP32 -> "float_val";
            case FP64 -> "double_val";
            case BYTES -> "string_val";
        };
    }

    /** The value fields that hold values (complex, resource and variant ones included, to refuse them by name). */
    private static List<String> valueFields(TensorProto p) {
        List<String> set = new ArrayList<>();
        addIf(set, "half_val", p.getHalfValCount());
        addIf(set, "float_val", p.getFloatValCount());
        addIf(set, "double_val", p.getDoubleValCount());
        addIf(set, "int_val", p.getIntValCount());
        addIf(set, "string_val", p.getStringValCount());
        addIf(set, "scomplex_val", p.getScomplexValCount());
        addIf(set, "int64_val", p.getInt64ValCount());
        addIf(set, "bool_val", p.getBoolValCount());
        addIf(set, "dcomplex_val", p.getDcomplexValCount());
        addIf(set, "resource_handle_val", p.getResourceHandleValCount());
        addIf(set, "variant_val", p.getVariantValCount());
        addIf(set, "uint32_val", p.getUint32ValCount());
        addIf(set, "uint64_val", p.getUint64ValCount());
        return set;
    }

    private static void addIf(List<String> set, String field, int count) {
        if (count > 0) {
            set.add(field);
        }
    }

    private static int typedCount(DataType datatype, TensorProto p) {
        return switch (datatype) {
            case BOOL -> p.getBoolValCount();
            case INT8, INT16, INT32, UINT8, UINT16 -> p.getIntValCount();
            case INT64 -> p.getInt64ValCount();
            case UINT32 -> p.getUint32ValCount();
            case UINT64 -> p.getUint64ValCount();
            case FP16, BF16 -> p.getHalfValCount();
            case FP32 -> p.getFloatValCount();
            case FP64 -> p.getDoubleValCount();
            case BYTES -> p.getStringValCount();
        };
    }

    private static Object typed(String where, DataType datatype, int n, TensorProto p) {
        switch (datatype) {
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getBoolVal(i);
                }
                return a;
            }
            case INT8, INT16, INT32, UINT8, UINT16 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    int v = p.getIntVal(i);
                    if (!datatype.contains(v)) {
                        throw new BadInputException(where + ": int_val[" + i + "] is " + v + " (expected: an integer from "
                                + datatype.min() + " to " + datatype.max() + " for dtype " + datatype.tensorflowName() + ")");
                    }
                    a[i] = v;
                }
                return a;
            }
            case UINT32 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Integer.toUnsignedLong(p.getUint32Val(i));
                }
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getInt64Val(i);
                }
                return a;
            }
            case UINT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getUint64Val(i);
                }
                return a;
            }
            case FP16, BF16 -> {
                // half_val holds each element's 16 bits in an int32: the raw form's two bytes, decoded alike.
                ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    int v = p.getHalfVal(i);
                    if ((v & ~0xffff) != 0) {
                        throw new BadInputException(where + ": half_val[" + i + "] is " + v
                                + " (expected: the 16 bits of a " + datatype.tensorflowName() + ", 0 to 65535)");
                    }
                    b.putShort((short) v);
                }
                return RawTensors.decode(where, datatype, n, b.flip());
            }
            case FP32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getFloatVal(i);
                }
                return a;
            }
            case FP64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getDoubleVal(i);
                }
                return a;
            }
            default -> {
                byte[][] a = new byte[n][];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getStringVal(i).toByteArray();
                }
                return a;
            }
        }
    }

    /** The output as a TensorProto: numbers in tensor_content (little-endian, as TensorFlow writes it), strings in string_val. */
    static TensorProto output(Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setDtype(dtype(t.datatype())).setTensorShape(shapeProto(t.shape()));
        if (t.datatype() == DataType.BYTES) {
            for (byte[] v : t.bytes()) {
                p.addStringVal(ByteString.copyFrom(v));
            }
        } else {
            p.setTensorContent(ByteString.copyFrom(RawTensors.encode(t)));
        }
        return p.build();
    }

    /** A shape as TensorFlow writes it, -1 for a dynamic dimension. */
    static TensorShapeProto shapeProto(long[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return s.build();
    }
}
