package io.ringfold.serving.core;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The raw binary form: every datatype round-trips; sizes that disagree with the shape are refused, named. */
class RawTensorsTest {

    @Test
    void everyDatatypeRoundTrips() {
        Tensor[] tensors = {
            new Tensor("b", DataType.BOOL, new long[] {3}, new boolean[] {true, false, true}),
            new Tensor("i8", DataType.INT8, new long[] {2}, new int[] {-128, 127}),
            new Tensor("u8", DataType.UINT8, new long[] {2}, new int[] {0, 255}),
            new Tensor("i16", DataType.INT16, new long[] {2}, new int[] {-32768, 32767}),
            new Tensor("u16", DataType.UINT16, new long[] {2}, new int[] {0, 65535}),
            new Tensor("i32", DataType.INT32, new long[] {2}, new int[] {Integer.MIN_VALUE, 7}),
            new Tensor("u32", DataType.UINT32, new long[] {1}, new long[] {4294967295L}),
            new Tensor("i64", DataType.INT64, new long[] {2}, new long[] {Long.MIN_VALUE, 1}),
            new Tensor("u64", DataType.UINT64, new long[] {1}, new long[] {-1L}),
            new Tensor("f16", DataType.FP16, new long[] {4}, new float[] {1.5f, -0.0f, 65504f, 0x1p-24f}),
            new Tensor("bf16", DataType.BF16, new long[] {2}, new float[] {1.5f, -2f}),
            new Tensor("f32", DataType.FP32, new long[] {2, 1}, new float[] {0.1f, Float.NaN}),
            new Tensor("f64", DataType.FP64, new long[] {1}, new double[] {0.1}),
            Tensor.ofStrings("s", new long[] {3}, new String[] {"", "é", "abc"}),
        };
        for (Tensor t : tensors) {
            byte[] raw = RawTensors.encode(t);
            Object back = RawTensors.decode(t.name(), t.datatype(), t.elementCount(), ByteBuffer.wrap(raw));
            assertThat(new Tensor(t.name(), t.datatype(), t.shape(), back).data()).as(t.toString()).isEqualTo(t.data());
        }
        assertThat(RawTensors.encode(Tensor.ofStrings("s", new long[] {1}, new String[] {"ab"})))
                .containsExactly(2, 0, 0, 0, 'a', 'b');
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        assertThat(RawTensors.halfToFloat(RawTensors.floatToHalf(1 + 0x1p-11f))).isEqualTo(1f);
        assertThat(RawTensors.halfToFloat(RawTensors.floatToHalf(1 + 0x1p-11f + 0x1p-20f))).isEqualTo(1 + 0x1p-10f);
        assertThat(RawTensors.halfToFloat(RawTensors.floatToHalf(1e6f))).isInfinite();
        assertThat(RawTensors.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    }

    @Test
    void sizesThatDisagreeWithTheShapeAreRefusedBeforeAllocating() {
        assertThatThrownBy(() -> RawTensors.decode("input 'x'", DataType.FP32, 2, ByteBuffer.allocate(7)))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'x': 7 bytes of raw data (expected: 8, 2 elements of 4 bytes for datatype FP32)");
        // A claimed count far beyond what the bytes could hold: no array of that size is made.
        assertThatThrownBy(() -> RawTensors.decode("input 'x'", DataType.BYTES, Integer.MAX_VALUE, ByteBuffer.allocate(8)))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'x': 8 bytes of raw data (expected: at least 8589934588 for 2147483647 BYTES elements)");
        ByteBuffer cut = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(5).put("ab".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> RawTensors.decode("input 'x'", DataType.BYTES, 1, cut.flip()))
                .hasMessage("input 'x': raw BYTES element 0 is cut off (expected: a 4-byte little-endian length, then that many bytes)");
        assertThatThrownBy(() -> RawTensors.decode("input 'x'", DataType.BOOL, 1, ByteBuffer.wrap(new byte[] {2})))
                .hasMessage("input 'x': element 0 is byte 2 (expected: 0 or 1 for datatype BOOL)");
        assertThatThrownBy(() -> new Tensor("x", DataType.FP32, new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'x': 3 elements for shape [2, 2] (expected: 4)");
        assertThat(Tensor.elementCount(new long[] {Long.MAX_VALUE, 2})).isEqualTo(-1);
        assertThat(Tensor.elementCount(new long[] {65536, 65536})).isEqualTo(-1);
    }
}
