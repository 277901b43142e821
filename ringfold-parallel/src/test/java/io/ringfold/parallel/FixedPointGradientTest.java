package io.ringfold.parallel;

import io.ringfold.random.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedPointGradientTest {

    @Test
    void vectorLoopsMatchScalarDefinitionsExactly() {
        SplitMix64 rng = new SplitMix64(5);
        for (int n : new int[] {0, 1, 7, 8, 31, 1000, 1003}) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(8) - 4));
            }
            float max = 0;
            for (float v : g) {
                max = Math.max(max, Math.abs(v));
            }
            for (int e : new int[] {FixedPointGradient.exponent(max, 8), FixedPointGradient.exponent(max, 1), -3}) {
                long[] acc = new long[n];
                long[] expected = new long[n];
                FixedPointGradient.sum(new float[][] {g}, 1, 0, n, e, acc, 0);
                for (int i = 0; i < n; i++) {
                    expected[i] = (long) ((double) g[i] * Math.scalb(1.0, e));
                }
                assertThat(acc).as("n=%d e=%d", n, e).containsExactly(expected);
                float[] mean = new float[n];
                FixedPointGradient.toMean(acc, 0, e, 3, mean, 0, n);
                for (int i = 0; i < n; i++) {
                    assertThat(mean[i]).isEqualTo((float) ((double) acc[i] * (Math.scalb(1.0, -e) / 3)));
                }
            }
        }
    }

    @Test
    void sumOfShardsIsExactAndOrderIndependent() {
        float[][] shards = {{1e-3f, -2.5f, 3f}, {7f, 1e-7f, -3f}, {0.125f, 2.5f, 1e-20f}};
        int e = FixedPointGradient.exponent(7f, shards.length);
        long[] forward = new long[3];
        long[] backward = new long[3];
        FixedPointGradient.sum(shards, shards.length, 0, 3, e, forward, 0);
        float[][] reversed = {shards[2], shards[1], shards[0]};
        FixedPointGradient.sum(reversed, reversed.length, 0, 3, e, backward, 0);
        assertThat(backward).containsExactly(forward);
        float[] mean = new float[3];
        FixedPointGradient.toMean(forward, 0, e, 1, mean, 0, 3);
        assertThat(mean[1]).isEqualTo((float) (-2.5 + 1e-7f + 2.5));
        assertThat(Math.abs(forward[0]) + Math.abs(forward[1])).isLessThan(Long.MAX_VALUE / 2);
    }

    /** Tiles, ranges and output offsets: the sum of many shards over a sub-range equals the scalar definition. */
    @Test
    void tiledSumOverARangeMatchesTheDefinition() {
        SplitMix64 rng = new SplitMix64(9);
        int n = 5000;
        float[][] g = new float[5][n];
        for (float[] row : g) {
            for (int i = 0; i < n; i++) {
                row[i] = (float) rng.nextGaussian();
            }
        }
        int e = FixedPointGradient.exponent(8, 5);
        long[] out = new long[n + 7];
        java.util.Arrays.fill(out, 42L);
        FixedPointGradient.sum(g, 4, 3, 4500, e, out, 5);
        for (int i = 3; i < 4500; i++) {
            long want = 0;
            for (int s = 0; s < 4; s++) {
                want += (long) ((double) g[s][i] * Math.scalb(1.0, e));
            }
            assertThat(out[5 + i - 3]).as("element %d", i).isEqualTo(want);
        }
        assertThat(out[4]).isEqualTo(42L);
        assertThat(out[5 + 4497]).isEqualTo(42L);
        FixedPointGradient.sum(g, 0, 0, 10, e, out, 0);
        assertThat(java.util.Arrays.copyOf(out, 10)).containsOnly(0L);
    }

    /** Every scaled value stays inside the native kernel's range, and the sum of all shards inside int64. */
    @Test
    void exponentKeepsScaledValuesBelowTheKernelLimitAndSumsBelowInt64() {
        for (double max : new double[] {1e-30, 0.001, 0.75, 1, 1.5, 2, 3.999, 7, 1024, 1e12, Float.MAX_VALUE}) {
            for (int shards : new int[] {1, 2, 3, 8, 1000, 4096, 5000, 1 << 16}) {
                int e = FixedPointGradient.exponent(max, shards);
                // The largest float with max's exponent is just below 2^(getExponent + 1).
                double top = Math.scalb(Math.nextDown(2.0), Math.getExponent(max));
                double scaled = Math.scalb(top, e);
                assertThat(scaled).as("max %s, %d shards", max, shards).isLessThan(io.ringfold.tensor.FixedPointSum.LIMIT);
                assertThat(scaled * shards).as("sum of %d shards", shards).isLessThan(0x1p62);
                // and not needlessly coarse: the largest value keeps 50 bits when the shards allow it
                assertThat(scaled).isGreaterThanOrEqualTo(shards <= 2048 ? 0x1p50 : 0x1p61 / Math.scalb(1.0, 32 - Integer.numberOfLeadingZeros(shards - 1)));
            }
        }
    }

    @Test
    void nonFiniteGradientsAreReported() {
        assertThatThrownBy(() -> FixedPointGradient.exponent(Double.NaN, 8)).hasMessageContaining("training diverged");
        assertThat(FixedPointGradient.exponent(0, 8)).isZero();
    }
}
