package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The native fixed-point kernel against the Java loop: the same bits for every value in range, length,
 * offset and count, since the trainer's results must not depend on whether a machine has the shim. The
 * comparisons need the shim; they are skipped without it, except under CI=true, where CI installs gcc.
 */
class FixedPointSumTest {

    private static void requireNative() {
        if (!FixedPointSum.nativeLoaded()) {
            String reason = "native fixed-point kernel unavailable: " + FixedPointSum.implementation();
            if ("true".equals(System.getenv("CI"))) {
                fail(reason + " (CI=true: CI provides gcc, so the shim must load)");
            }
            assumeTrue(false, reason);
        }
    }

    private static long[] both(float[][] g, int count, int from, int to, double scale, int at, int outLength) {
        long[] viaSum = new long[outLength];
        long[] viaJava = new long[outLength];
        Arrays.fill(viaSum, 7L);
        Arrays.fill(viaJava, 7L);
        FixedPointSum.sum(g, count, from, to, scale, viaSum, at);
        FixedPointSum.sumJava(g, count, from, to, scale, viaJava, at);
        assertThat(viaSum).as("count %d, [%d, %d), scale %s, at %d", count, from, to, scale, at).containsExactly(viaJava);
        return viaSum;
    }

    @Test
    void nativeMatchesJavaOnRandomGradientsLengthsAndOffsets() {
        requireNative();
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 3, 4, 5, 7, 8, 9, 2047, 2048, 2049, 5003}) {
            for (int count : new int[] {1, 2, 3, 8, 9}) {
                float[][] g = new float[count][n + 3];
                float max = 0;
                for (float[] row : g) {
                    for (int i = 0; i < row.length; i++) {
                        // magnitudes over 40 binades, both signs, some exact zeros and subnormals
                        row[i] = rng.nextInt(17) == 0 ? 0f : (float) (rng.nextGaussian() * Math.scalb(1.0, rng.nextInt(40) - 30));
                        if (rng.nextInt(101) == 0) {
                            row[i] = Float.MIN_VALUE * rng.nextInt(1, 1000) * (rng.nextBoolean() ? 1 : -1);
                        }
                        max = Math.max(max, Math.abs(row[i]));
                    }
                }
                int e = 50 - Math.getExponent(max);
                for (double scale : new double[] {Math.scalb(1.0, e), Math.scalb(1.0, e - 17), 1.0}) {
                    both(g, count, 0, n, scale, 0, n);
                    both(g, count, Math.min(3, n), n + 3, scale, 2, n + 5);
                }
            }
        }
    }

    @Test
    void truncatesTowardZeroUpToTheLimitLikeJavasCast() {
        requireNative();
        float[] edge = {2.7f, -2.7f, 0.5f, -0.5f, 1.5f, -1.5f, 0.999999f, -0.999999f, 3f, -3f, 0f, -0f,
                Math.nextDown(0x1p51f), -Math.nextDown(0x1p51f), 0x1p50f, -0x1p50f, 0x1.fffffep50f};
        long[] out = both(new float[][] {edge}, 1, 0, edge.length, 1.0, 0, edge.length);
        assertThat(out[0]).isEqualTo(2);
        assertThat(out[1]).isEqualTo(-2);
        assertThat(out[2]).isZero();
        assertThat(out[3]).isZero();
        assertThat(out[5]).isEqualTo(-1);
        assertThat(out[12]).isEqualTo((long) Math.nextDown(0x1p51f));
        assertThat(out[13]).isEqualTo(-(long) Math.nextDown(0x1p51f));
        // several shards summing past 2^51 is fine: only each scaled value is bounded
        float[][] big = {{0x1.fffffep50f}, {0x1.fffffep50f}, {0x1.fffffep50f}, {0x1.fffffep50f}};
        assertThat(both(big, 4, 0, 1, 1.0, 0, 1)[0]).isEqualTo(4 * (long) 0x1.fffffep50f);
    }

    /** Back to floats: every int64 (the magnitudes the mantissa trick takes and those it leaves to C), odd scales. */
    @Test
    void scaleMatchesJavaForEveryMagnitudeAndOffset() {
        requireNative();
        SplittableRandom rng = new SplittableRandom(11);
        int n = 5003;
        long[] sums = new long[n + 9];
        for (int i = 0; i < sums.length; i++) {
            int bits = rng.nextInt(64);
            long v = bits == 63 ? rng.nextLong() : rng.nextLong(1L << bits);
            sums[i] = rng.nextBoolean() ? v : -v;
        }
        long[] edges = {0, 1, -1, 1L << 51, -(1L << 51), (1L << 51) + 1, -(1L << 51) - 1, (1L << 51) - 1,
                (1L << 53) + 1, -(1L << 53) - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        System.arraycopy(edges, 0, sums, 100, edges.length);
        for (double scale : new double[] {1.0, Math.scalb(1.0, -50) / 3, Math.scalb(1.0, -120) / 128, 1e-300, 7.0 / 3}) {
            for (int[] r : new int[][] {{0, n, 0}, {3, n, 9}, {0, 0, 0}, {1, 6, 2}}) {
                float[] a = new float[n + 3];
                float[] b = new float[n + 3];
                FixedPointSum.scale(sums, r[2], scale, a, r[0], r[1]);
                FixedPointSum.scaleJava(sums, r[2], scale, b, r[0], r[1]);
                for (int i = 0; i < a.length; i++) {
                    assertThat(Float.floatToRawIntBits(a[i])).as("scale %s, range %s, element %d", scale,
                            Arrays.toString(r), i).isEqualTo(Float.floatToRawIntBits(b[i]));
                }
            }
        }
        assertThatThrownBy(() -> FixedPointSum.scale(sums, sums.length - 2, 1.0, new float[5], 0, 5))
                .hasMessage("sums: 5 at " + (sums.length - 2) + " (expected: within " + sums.length + " elements)");
        assertThatThrownBy(() -> FixedPointSum.scale(sums, 0, 1.0, new float[5], 2, 6))
                .hasMessage("range: [2, 6) (expected: within 5 outputs)");
    }

    /**
     * Into a shared-memory buffer, and plus a peer's contribution read from one: the bits of the array
     * path, natively (direct buffers) and in Java (heap buffers), at offsets and with tails.
     */
    @Test
    void bufferVariantsMatchTheArrayPath() {
        requireNative();
        SplittableRandom rng = new SplittableRandom(5);
        int n = 4103;
        float[][] g = new float[3][n];
        for (float[] row : g) {
            for (int i = 0; i < n; i++) {
                row[i] = (float) (rng.nextGaussian() * Math.scalb(1.0, rng.nextInt(30) - 20));
            }
        }
        double scale = Math.scalb(1.0, 40);
        long[] want = new long[n];
        FixedPointSum.sumJava(g, 3, 5, n, scale, want, 0);
        java.nio.LongBuffer direct = java.nio.ByteBuffer.allocateDirect(8 * (n + 16))
                .order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
        java.nio.LongBuffer heap = java.nio.LongBuffer.allocate(n + 16);
        for (java.nio.LongBuffer b : new java.nio.LongBuffer[] {direct, heap}) {
            for (boolean streaming : new boolean[] {false, true}) {
                FixedPointSum.sum(g, 3, 5, n, scale, b, 9, streaming);
                for (int i = 0; i < n - 5; i++) {
                    assertThat(b.get(9 + i)).as("%s buffer, streaming %s, element %d", b.isDirect() ? "direct" : "heap",
                            streaming, i).isEqualTo(want[i]);
                }
            }
            long[] plus = new long[n + 2];
            FixedPointSum.sumPlus(g, 3, 5, n, scale, plus, 2, b, 9);
            for (int i = 0; i < n - 5; i++) {
                assertThat(plus[2 + i]).isEqualTo(2 * want[i]);
            }
        }
        assertThatThrownBy(() -> FixedPointSum.sum(g, 3, 0, n, scale, direct, 17, true))
                .hasMessage("out: " + n + " longs at 17 (expected: within " + (n + 16) + ")");
        java.nio.LongBuffer bigEndian = java.nio.ByteBuffer.allocateDirect(8 * n).order(java.nio.ByteOrder.BIG_ENDIAN)
                .asLongBuffer();
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.BIG_ENDIAN) {
            assertThatThrownBy(() -> FixedPointSum.sumPlus(g, 3, 0, n, scale, new long[n], 0, bigEndian, 0))
                    .hasMessage("addend: BIG_ENDIAN (expected: the native byte order)");
        }
    }

    /**
     * The direct-buffer path, with streaming stores from a tile buffer in 4-byte pieces up to the
     * destination's 32-byte boundary, or plain ones: every alignment, length (around a vector, around a
     * tile) and count must give the Java loop's values, and the longs just outside the range must keep theirs.
     */
    @Test
    void streamingBufferPathWritesExactlyItsRangeAtEveryAlignment() {
        requireNative();
        SplittableRandom rng = new SplittableRandom(11);
        int n = 2 * 2048 + 9;
        float[][] g = new float[4][n];
        for (float[] row : g) {
            for (int i = 0; i < n; i++) {
                row[i] = (float) (rng.nextGaussian() * Math.scalb(1.0, rng.nextInt(20) - 10));
            }
        }
        double scale = Math.scalb(1.0, 30);
        java.nio.LongBuffer b = java.nio.ByteBuffer.allocateDirect(8 * (n + 16))
                .order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
        for (int count = 1; count <= 4; count++) {
            for (boolean streaming : new boolean[] {false, true}) {
                for (int length : new int[] {0, 1, 3, 4, 5, 7, 31, 2047, 2048, 2049, n - 3}) {
                    for (int index = 1; index <= 5; index++) {
                        int from = 3;
                        long[] want = new long[length];
                        FixedPointSum.sumJava(g, count, from, from + length, scale, want, 0);
                        for (int i = 0; i < b.limit(); i++) {
                            b.put(i, -1L);
                        }
                        FixedPointSum.sum(g, count, from, from + length, scale, b, index, streaming);
                        for (int i = 0; i < b.limit(); i++) {
                            long expected = i >= index && i < index + length ? want[i - index] : -1L;
                            if (b.get(i) != expected) {
                                fail("streaming " + streaming + ", count " + count + ", length " + length + ", index "
                                        + index + ": long " + i + " is " + b.get(i) + " (expected: " + expected + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void zeroCountWritesZerosAndBadArgumentsAreRefusedBeforeNativeCode() {
        long[] out = new long[5];
        Arrays.fill(out, 9L);
        FixedPointSum.sum(new float[1][4], 0, 1, 4, 1.0, out, 2);
        assertThat(out).containsExactly(9, 9, 0, 0, 0);
        float[][] g = new float[2][4];
        assertThatThrownBy(() -> FixedPointSum.sum(g, 3, 0, 4, 1.0, new long[4], 0))
                .hasMessage("count: 3 (expected: 0..2)");
        assertThatThrownBy(() -> FixedPointSum.sum(g, 2, 0, 5, 1.0, new long[5], 0))
                .hasMessage("grads[0]: 4 elements (expected: at least 5)");
        assertThatThrownBy(() -> FixedPointSum.sum(g, 2, 2, 1, 1.0, new long[5], 0))
                .hasMessage("range: [2, 1) (expected: 0 <= from <= to)");
        assertThatThrownBy(() -> FixedPointSum.sum(g, 2, 0, 4, 1.0, new long[5], 2))
                .hasMessage("out: 4 sums at 2 (expected: within 5 elements)");
        assertThatThrownBy(() -> FixedPointSum.sum(new float[][] {null}, 1, 0, 1, 1.0, new long[1], 0))
                .hasMessage("grads[0]: null (expected: at least 1)");
    }

    @Test
    void implementationSaysWhichPathRuns() {
        assertThat(FixedPointSum.implementation()).matches("native|java \\(.+\\)");
        assertThat(FixedPointSum.implementation().equals("native")).isEqualTo(FixedPointSum.nativeLoaded());
    }
}
