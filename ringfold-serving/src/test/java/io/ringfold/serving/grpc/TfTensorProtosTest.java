package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.Test;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;

import java.lang.reflect.Array;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TensorProto to {@link Tensor} and back, in process: every datatype both ways, and random protos. */
class TfTensorProtosTest {

    /** Two elements of each datatype, at the edges of its range where it has one. */
    private static Tensor sample(DataType t) {
        long[] shape = {2};
        Object data = switch (t) {
            case BOOL -> new boolean[] {true, false};
            case INT8 -> new int[] {-128, 127};
            case INT16 -> new int[] {-32768, 32767};
            case INT32 -> new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            case UINT8 -> new int[] {0, 255};
            case UINT16 -> new int[] {0, 65535};
            case UINT32 -> new long[] {0, 0xffff_ffffL};
            case INT64 -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
            case UINT64 -> new long[] {0, -1L};
            case FP16 -> new float[] {-2.5f, 65504f};
            case BF16 -> new float[] {-2.5f, 1.0f};
            case FP32 -> new float[] {Float.MIN_VALUE, -0.0f};
            case FP64 -> new double[] {Double.MAX_VALUE, -0.1};
            case BYTES -> new byte[][] {"ä".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[0]};
        };
        return new Tensor("x", t, shape, data);
    }

    /** The same values in the dtype's typed field instead of tensor_content. */
    private static TensorProto typed(Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setDtype(TfTensorProtos.dtype(t.datatype()))
                .setTensorShape(TfTensorProtos.shapeProto(t.shape()));
        for (int i = 0; i < t.elementCount(); i++) {
            switch (t.datatype()) {
                case BOOL -> p.addBoolVal(t.bools()[i]);
                case INT8, INT16, INT32, UINT8, UINT16 -> p.addIntVal(t.ints()[i]);
                case UINT32 -> p.addUint32Val((int) t.longs()[i]);
                case INT64 -> p.addInt64Val(t.longs()[i]);
                case UINT64 -> p.addUint64Val(t.longs()[i]);
                case FP16 -> p.addHalfVal(Short.toUnsignedInt(i == 0 ? (short) 0xc100 : (short) 0x7bff)); // -2.5, 65504
                case BF16 -> p.addHalfVal(Float.floatToRawIntBits(t.floats()[i]) >>> 16);
                case FP32 -> p.addFloatVal(t.floats()[i]);
                case FP64 -> p.addDoubleVal(t.doubles()[i]);
                case BYTES -> p.addStringVal(ByteString.copyFrom(t.bytes()[i]));
            }
        }
        return p.build();
    }

    private static void assertSame(Tensor actual, Tensor expected) {
        assertThat(actual.datatype()).isEqualTo(expected.datatype());
        assertThat(actual.shape()).isEqualTo(expected.shape());
        if (expected.datatype() == DataType.BYTES) {
            assertThat(actual.bytes()).isDeepEqualTo(expected.bytes());
        } else if (expected.data() instanceof float[] f) {
            for (int i = 0; i < f.length; i++) {
                assertThat(Float.floatToRawIntBits(actual.floats()[i])).as(expected + " [" + i + "]")
                        .isEqualTo(Float.floatToRawIntBits(f[i]));
            }
        } else {
            assertThat(actual.data()).as(expected.toString()).isEqualTo(expected.data());
        }
    }

    @Test
    void everyDatatypeTravelsTypedAndAsTensorContent() {
        for (DataType t : DataType.values()) {
            Tensor sample = sample(t);
            TensorProto out = TfTensorProtos.output(sample);
            assertThat(out.getDtype().name()).isEqualTo(t.tensorflowName());
            assertThat(out.getTensorContent().isEmpty()).as(t + " travels in string_val").isEqualTo(t == DataType.BYTES);
            assertSame(TfTensorProtos.input("x", out), sample);
            assertSame(TfTensorProtos.input("x", typed(sample)), sample);
            assertThat(TfTensorProtos.datatype(TfTensorProtos.dtype(t))).isEqualTo(t);
        }
    }

    @Test
    void halfValBeyond16BitsAndTensorContentForStringsAreRefused() {
        TensorProto half = TensorProto.newBuilder().setDtype(org.tensorflow.framework.DataType.DT_HALF)
                .setTensorShape(TfTensorProtos.shapeProto(new long[] {1})).addHalfVal(0x10000).build();
        assertThatThrownBy(() -> TfTensorProtos.input("h", half)).isInstanceOf(BadInputException.class)
                .hasMessage("input 'h': half_val[0] is 65536 (expected: the 16 bits of a DT_HALF, 0 to 65535)");
        TensorProto strings = TensorProto.newBuilder().setDtype(org.tensorflow.framework.DataType.DT_STRING)
                .setTensorShape(TfTensorProtos.shapeProto(new long[] {1})).setTensorContent(ByteString.copyFromUtf8("abcd")).build();
        assertThatThrownBy(() -> TfTensorProtos.input("s", strings)).isInstanceOf(BadInputException.class)
                .hasMessage("input 's': tensor_content set for dtype DT_STRING (expected: string_val)");
        TensorProto unknownRank = TensorProto.newBuilder().setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true)).build();
        assertThatThrownBy(() -> TfTensorProtos.input("u", unknownRank)).isInstanceOf(BadInputException.class)
                .hasMessage("input 'u': tensor_shape.unknown_rank set (expected: the tensor's dimensions)");
    }

    /**
     * Random dtypes, shapes (huge ones included), value fields and counts: every proto decodes to a tensor whose
     * element count is its shape's, or is refused as bad input naming the tensor; nothing else is thrown and no
     * declared shape is allocated before its values are counted.
     */
    @Test
    void randomProtosDecodeOrAreRefusedByName() {
        long seed = System.nanoTime();
        System.out.println("TfTensorProtosTest: seed " + seed);
        Random rnd = new Random(seed);
        org.tensorflow.framework.DataType[] dtypes = org.tensorflow.framework.DataType.values();
        int decoded = 0;
        int refused = 0;
        DataType[] types = DataType.values();
        for (int i = 0; i < 3000; i++) {
            // A valid proto (either form) half of the time, else one with a random change or random altogether.
            Tensor base = sample(types[rnd.nextInt(types.length)]);
            TensorProto.Builder p = (rnd.nextBoolean() ? TfTensorProtos.output(base) : typed(base)).toBuilder();
            switch (rnd.nextInt(16)) {
                case 0 -> p.setDtype(dtypes[rnd.nextInt(dtypes.length - 1)]);
                case 1 -> p.getTensorShapeBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(rnd.nextInt(3)));
                case 2 -> p.getTensorShapeBuilder().getDimBuilder(0).setSize(1L << (20 + rnd.nextInt(40)));
                case 3 -> p.getTensorShapeBuilder().getDimBuilder(0).setSize(-1 - rnd.nextInt(3));
                case 4 -> p.setTensorContent(ByteString.copyFrom(new byte[rnd.nextInt(20)]));
                case 5 -> p.addIntVal(rnd.nextInt(600) - 300);
                case 6 -> p.addHalfVal(rnd.nextInt(0x20000));
                case 7 -> p.addScomplexVal(rnd.nextFloat()).addStringVal(ByteString.copyFromUtf8("v"));
                default -> {
                }
            }
            if (rnd.nextInt(8) == 0) {
                p = TensorProto.newBuilder().setDtype(dtypes[rnd.nextInt(dtypes.length - 1)]);
                for (int r = rnd.nextInt(3); r > 0; r--) {
                    p.getTensorShapeBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(rnd.nextInt(5) - 1));
                }
                for (int k = rnd.nextInt(5); k > 0; k--) {
                    p.addFloatVal(rnd.nextFloat()).addInt64Val(rnd.nextLong());
                }
            }
            TensorProto proto = p.build();
            String what = "seed " + seed + " case " + i + ": " + proto;
            try {
                Tensor t = TfTensorProtos.input("t", proto);
                decoded++;
                assertThat((long) Array.getLength(t.data())).as(what).isEqualTo(Tensor.elementCount(t.shape()));
                assertThat(t.datatype().tensorflowName()).as(what).isEqualTo(proto.getDtype().name());
            } catch (BadInputException e) {
                refused++;
                assertThat(e.getMessage()).as(what).startsWith("input 't': ");
            }
        }
        System.out.println("TfTensorProtosTest: " + decoded + " decoded, " + refused + " refused");
        assertThat(decoded).as("decoded").isGreaterThan(500);
        assertThat(refused).as("refused").isGreaterThan(500);
    }
}
