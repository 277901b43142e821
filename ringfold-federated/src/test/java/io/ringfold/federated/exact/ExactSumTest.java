package io.ringfold.federated.exact;

import io.ringfold.random.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExactSumTest {

    /** The sum of contributions in any order gives the same bits, and the mean agrees with double arithmetic. */
    @Test
    void weightedMeanIsExactAndOrderIndependent() {
        long seed = 99;
        System.out.println("seed " + seed);
        SplitMix64 r = new SplitMix64(seed);
        int clients = 7;
        int n = 1000;
        float[][] deltas = new float[clients][n];
        long[] examples = new long[clients];
        long total = 0;
        for (int c = 0; c < clients; c++) {
            examples[c] = 1 + r.nextInt(5000);
            total += examples[c];
            for (int i = 0; i < n; i++) {
                deltas[c][i] = (float) ((r.nextInt(2_000_001) - 1_000_000) * 1e-7);
            }
        }
        int e = ExactSum.exponent(5000, clients);
        float[] forward = new float[n];
        float[] backward = new float[n];
        long[] a = new long[n];
        long[] b = new long[n];
        for (int c = 0; c < clients; c++) {
            ExactSum.add(a, ExactSum.contribution(deltas[c], examples[c], e));
            ExactSum.add(b, ExactSum.contribution(deltas[clients - 1 - c], examples[clients - 1 - c], e));
        }
        ExactSum.apply(forward, a, total, e);
        ExactSum.apply(backward, b, total, e);
        assertThat(backward).containsExactly(forward);
        for (int i = 0; i < n; i++) {
            double expected = 0;
            for (int c = 0; c < clients; c++) {
                expected += (double) deltas[c][i] * examples[c];
            }
            expected /= total;
            // Truncation to 2^-e per client and the float rounding of delta * examples bound the error.
            assertThat((double) forward[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** The largest allowed delta times the largest count stays below the kernel's 2^51 and the sum below 2^62. */
    @Test
    void exponentKeepsTheSumInRange() {
        int e = ExactSum.exponent(60_000, 100);
        double largest = Math.nextDown(ExactSum.MAX_DELTA) * (float) 60_000 * Math.scalb(1.0, e);
        assertThat(largest).isLessThan(0x1p51);
        assertThat(largest * 100).isLessThan(0x1p62);
    }

    @Test
    void refusalNamesTheElement() {
        assertThat(ExactSum.refusal(new float[] {0f, Float.POSITIVE_INFINITY})).startsWith("delta Infinity at parameter 1");
        assertThat(ExactSum.refusal(new float[] {300f})).startsWith("|delta| = 300.0 at parameter 0");
        assertThat(ExactSum.refusal(new float[] {255.9f, -1f})).isNull();
    }
}
