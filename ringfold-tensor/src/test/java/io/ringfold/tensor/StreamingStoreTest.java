package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The streaming copy into a direct buffer (native under CI=true, where CI installs gcc) and the plain put
 * it falls back to: the same bits (NaN payloads and signed zeros included), exactly the range written,
 * at every alignment of the destination and around the 32-byte vector.
 */
class StreamingStoreTest {

    private static float[] randomBits(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(rng.nextInt());
        }
        v[0] = -0.0f;
        v[1] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
        return v;
    }

    @Test
    void copiesExactlyTheRangeBitForBitAtEveryAlignment() {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(StreamingStore.nativeLoaded()).as("CI=true: CI provides gcc, so the shim must load").isTrue();
        }
        int n = 1000;
        float[] src = randomBits(n, 3);
        // A slice at every 4-byte offset of a 32-byte boundary, so the destination starts at each alignment.
        ByteBuffer raw = ByteBuffer.allocateDirect(4 * (n + 64)).order(ByteOrder.nativeOrder());
        for (int shift = 0; shift < 8; shift++) {
            FloatBuffer dst = raw.slice(4 * shift, 4 * (n + 32)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int length : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 255, n - 5}) {
                for (int index : new int[] {0, 1, 3}) {
                    for (int i = 0; i < dst.limit(); i++) {
                        dst.put(i, Float.intBitsToFloat(0x5a5a5a5a));
                    }
                    StreamingStore.copy(src, 2, dst, index, length);
                    for (int i = 0; i < dst.limit(); i++) {
                        int expected = i >= index && i < index + length ? Float.floatToRawIntBits(src[2 + i - index])
                                : 0x5a5a5a5a;
                        if (Float.floatToRawIntBits(dst.get(i)) != expected) {
                            fail("shift " + shift + ", length " + length + ", index " + index + ": float " + i
                                    + " has bits " + Integer.toHexString(Float.floatToRawIntBits(dst.get(i)))
                                    + " (expected: " + Integer.toHexString(expected) + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void heapAndForeignOrderBuffersTakeThePlainPut() {
        float[] src = randomBits(40, 5);
        FloatBuffer heap = FloatBuffer.allocate(50);
        StreamingStore.copy(src, 0, heap, 10, 40);
        FloatBuffer swapped = ByteBuffer.allocateDirect(4 * 50).order(
                ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                .asFloatBuffer();
        StreamingStore.copy(src, 0, swapped, 10, 40);
        for (int i = 0; i < 40; i++) {
            assertThat(Float.floatToRawIntBits(heap.get(10 + i))).isEqualTo(Float.floatToRawIntBits(src[i]));
            assertThat(Float.floatToRawIntBits(swapped.get(10 + i))).isEqualTo(Float.floatToRawIntBits(src[i]));
        }
    }

    @Test
    void badRangesAreRefusedBeforeNativeCode() {
        FloatBuffer dst = ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] src = new float[8];
        assertThatThrownBy(() -> StreamingStore.copy(src, 4, dst, 0, 5))
                .hasMessage("src: 5 floats at 4 (expected: within 8)");
        assertThatThrownBy(() -> StreamingStore.copy(src, 0, dst, 4, 5))
                .hasMessage("dst: 5 floats at 4 (expected: within 8)");
        assertThatThrownBy(() -> StreamingStore.copy(src, 0, dst, 0, -1))
                .hasMessage("src: -1 floats at 0 (expected: within 8)");
        assertThatThrownBy(() -> StreamingStore.copy(src, 0, dst.asReadOnlyBuffer(), 0, 1))
                .hasMessage("dst: read-only (expected: a writable buffer)");
    }
}
