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
            assertThat(FixedPointGradient.maxAbs(g)).isEqualTo(max);
            for (int e : new int[] {FixedPointGradient.exponent(max, 8), 130, -3}) {
                long[] acc = new long[n];
                long[] expected = new long[n];
                FixedPointGradient.accumulate(g, e, acc);
                for (int i = 0; i < n; i++) {
                    expected[i] = (long) ((double) g[i] * Math.scalb(1.0, e));
                }
                assertThat(acc).as("n=%d e=%d", n, e).containsExactly(expected);
                float[] mean = new float[n];
                FixedPointGradient.toMean(acc, e, 3, mean);
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
        for (float[] s : shards) {
            FixedPointGradient.accumulate(s, e, forward);
        }
        for (int k = shards.length - 1; k >= 0; k--) {
            FixedPointGradient.accumulate(shards[k], e, backward);
        }
        assertThat(backward).containsExactly(forward);
        float[] mean = new float[3];
        FixedPointGradient.toMean(forward, e, 1, mean);
        assertThat(mean[1]).isEqualTo((float) (-2.5 + 1e-7f + 2.5));
        assertThat(Math.abs(forward[0]) + Math.abs(forward[1])).isLessThan(Long.MAX_VALUE / 2);
    }

    @Test
    void nonFiniteGradientsAreReported() {
        assertThatThrownBy(() -> FixedPointGradient.exponent(Double.NaN, 8)).hasMessageContaining("training diverged");
        assertThat(FixedPointGradient.exponent(0, 8)).isZero();
    }
}
