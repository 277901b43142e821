package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Between {@link Tensor}s and ONNX Runtime's tensors: the datatype each ONNX element type is served as, and the
 * copies both ways. ONNX's unsigned 16, 32 and 64-bit integers, complex and 8-bit float types have no Java
 * counterpart in ONNX Runtime's API, so a model using them is refused when it loads.
 */
final class OnnxTypes {

    /** The element types served, as the Open Inference Protocol names them. */
    static final List<DataType> SUPPORTED = List.of(DataType.FP32, DataType.FP64, DataType.INT64, DataType.INT32,
            DataType.INT16, DataType.INT8, DataType.UINT8, DataType.BOOL, DataType.FP16, DataType.BF16, DataType.BYTES);

    private OnnxTypes() {
    }

    /** The datatype an ONNX tensor of {@code info} is served as, or null when ONNX Runtime's Java API cannot pass it. */
    static DataType datatype(TensorInfo info) {
        return switch (info.type) {
            case FLOAT -> DataType.FP32;
            case DOUBLE -> DataType.FP64;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT16 -> DataType.INT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            case FLOAT16 -> DataType.FP16;
            case BFLOAT16 -> DataType.BF16;
            case STRING -> DataType.BYTES;
            default -> null;
        };
    }

    /**
     * {@code t} as an ONNX Runtime tensor (its values copied to native memory); the caller closes it. A BYTES
     * element that is not UTF-8 is refused: the Java API passes strings as Java text.
     */
    static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = t.shape();
        return switch (t.datatype()) {
            case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
            case INT16 -> OnnxTensor.createTensor(env, shorts(t.ints()), shape);
            case INT8 -> OnnxTensor.createTensor(env, bytes(t.ints()), shape);
            case UINT8 -> OnnxTensor.createTensor(env, bytes(t.ints()), shape, OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(env, bools(t.bools()), shape, OnnxJavaType.BOOL);
            case FP16, BF16 -> OnnxTensor.createTensor(env, halves(t.floats(), t.datatype() == DataType.BF16), shape,
                    t.datatype() == DataType.BF16 ? OnnxJavaType.BFLOAT16 : OnnxJavaType.FLOAT16);
            case BYTES -> OnnxTensor.createTensor(env, strings(t), shape);
            default -> throw new IllegalStateException("tensor '" + t.name() + "': datatype " + t.datatype()
                    + " (expected: one of " + SUPPORTED + ", checked against the signature before)");
        };
    }

    /** ONNX Runtime's {@code value} as a tensor named {@code name}. */
    static Tensor fromOnnx(String name, OnnxTensor value) throws OrtException {
        TensorInfo info = value.getInfo();
        long[] shape = info.getShape();
        int n = (int) info.getNumElements();
        DataType type = datatype(info);
        if (type == null) {
            throw new IllegalStateException("output '" + name + "': ONNX type " + info.onnxType
                    + " (expected: one of " + SUPPORTED + ", checked when the model loaded)");
        }
        Object data = switch (type) {
            case FP32 -> {
                float[] a = new float[n];
                value.getFloatBuffer().get(a);
                yield a;
            }
            case FP64 -> {
                double[] a = new double[n];
                value.getDoubleBuffer().get(a);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[n];
                value.getLongBuffer().get(a);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[n];
                value.getIntBuffer().get(a);
                yield a;
            }
            case INT16 -> {
                ShortBuffer b = value.getShortBuffer();
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = b.get(i);
                }
                yield a;
            }
            case INT8, UINT8 -> {
                ByteBuffer b = value.getByteBuffer();
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = type == DataType.UINT8 ? Byte.toUnsignedInt(b.get(i)) : b.get(i);
                }
                yield a;
            }
            case BOOL -> {
                ByteBuffer b = value.getByteBuffer();
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = b.get(i) != 0;
                }
                yield a;
            }
            case FP16, BF16 -> {
                ShortBuffer b = value.getShortBuffer();
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = type == DataType.BF16 ? Fp16Conversions.bf16ToFloat(b.get(i)) : Fp16Conversions.fp16ToFloat(b.get(i));
                }
                yield a;
            }
            case BYTES -> {
                byte[][] a = new byte[n][];
                int[] next = {0};
                flattenStrings(value.getValue(), a, next);
                yield a;
            }
            default -> throw new IllegalStateException(type.name());
        };
        return new Tensor(name, type, shape, data);
    }

    /** The zero of {@code type} (the empty string for BYTES), {@code n} times, as {@link DataType#storage()} holds it. */
    static Object zeros(DataType type, int n) {
        if (type == DataType.BYTES) {
            byte[][] a = new byte[n][];
            java.util.Arrays.fill(a, new byte[0]);
            return a;
        }
        return java.lang.reflect.Array.newInstance(type.storage().getComponentType(), n);
    }

    private static void flattenStrings(Object v, byte[][] out, int[] next) {
        if (v instanceof String s) {
            out[next[0]++] = s.getBytes(StandardCharsets.UTF_8);
        } else {
            for (Object e : (Object[]) v) {
                flattenStrings(e, out, next);
            }
        }
    }

    private static ShortBuffer shorts(int[] v) {
        short[] a = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = (short) v[i];
        }
        return ShortBuffer.wrap(a);
    }

    private static ByteBuffer bytes(int[] v) {
        byte[] a = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = (byte) v[i];
        }
        return ByteBuffer.wrap(a);
    }

    private static ByteBuffer bools(boolean[] v) {
        byte[] a = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = (byte) (v[i] ? 1 : 0);
        }
        return ByteBuffer.wrap(a);
    }

    private static ShortBuffer halves(float[] v, boolean bf16) {
        short[] a = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = bf16 ? Fp16Conversions.floatToBf16(v[i]) : Fp16Conversions.floatToFp16(v[i]);
        }
        return ShortBuffer.wrap(a);
    }

    private static String[] strings(Tensor t) {
        byte[][] v = t.bytes();
        String[] a = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = new String(v[i], StandardCharsets.UTF_8);
        }
        return a;
    }

    /**
     * Refuses a BYTES tensor with an element that is not UTF-8: ONNX Runtime's Java API passes strings as Java
     * text, so other bytes would reach the model changed. Checked before the request is queued.
     */
    static void checkText(Tensor t) {
        byte[][] v = t.bytes();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int i = 0; i < v.length; i++) {
            try {
                utf8.decode(ByteBuffer.wrap(v[i]));
            } catch (CharacterCodingException e) {
                throw new BadInputException("input '" + t.name() + "': element " + i + " is not UTF-8 (expected: UTF-8"
                        + " text, as ONNX Runtime's Java API passes strings)");
            }
        }
    }
}
