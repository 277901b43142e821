package io.ringfold.dpsgd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Poisson sampling: batch sizes have mean qN and variance Nq(1-q), every example is drawn at rate q, and a
 * batch depends on (seed, step, example) only.
 */
class PoissonSamplingTest {

    private static final long SEED = 77;

    @Test
    void batchSizesHaveTheBinomialMeanAndVariance() {
        System.out.println("PoissonSamplingTest seed " + SEED);
        int n = 10_000;
        double q = 0.0128; // B = 128
        int steps = 2_000;
        int[] out = new int[n];
        double sum = 0;
        double sq = 0;
        for (int t = 0; t < steps; t++) {
            int size = PoissonSampling.sample(SEED, t, n, q, out);
            sum += size;
            sq += (double) size * size;
            assertThat(PoissonSampling.count(SEED, t, n, q)).isEqualTo(size);
        }
        double mean = sum / steps;
        double var = sq / steps - mean * mean;
        double expectedVar = n * q * (1 - q);
        // The mean of 2,000 batch sizes has standard error sqrt(127 / 2000) = 0.25: within 5 of them.
        assertThat(mean).isCloseTo(n * q, org.assertj.core.data.Offset.offset(5 * Math.sqrt(expectedVar / steps)));
        // The sample variance's standard error is about var * sqrt(2 / steps) = 4.0: within 5 of them.
        assertThat(var).isCloseTo(expectedVar, org.assertj.core.data.Offset.offset(5 * expectedVar * Math.sqrt(2.0 / steps)));
    }

    @Test
    void everyExampleIsDrawnAtTheSamplingRate() {
        int n = 50;
        double q = 0.1;
        int steps = 20_000;
        int[] hits = new int[n];
        int[] out = new int[n];
        for (int t = 0; t < steps; t++) {
            int size = PoissonSampling.sample(SEED, t, n, q, out);
            for (int i = 0; i < size; i++) {
                hits[out[i]]++;
                if (i > 0) {
                    assertThat(out[i]).isGreaterThan(out[i - 1]);
                }
            }
        }
        double se = Math.sqrt(steps * q * (1 - q));
        for (int i = 0; i < n; i++) {
            assertThat((double) hits[i]).as("example %d", i).isCloseTo(steps * q, org.assertj.core.data.Offset.offset(5 * se));
        }
    }

    @Test
    void aBatchDependsOnTheSeedTheStepAndTheExampleOnly() {
        long key = PoissonSampling.stepKey(SEED, 12);
        int n = 1000;
        int[] a = new int[n];
        int size = PoissonSampling.sample(SEED, 12, n, 0.2, a);
        for (int i = 0; i < size; i++) {
            assertThat(PoissonSampling.includes(key, a[i], 0.2)).isTrue();
        }
        int[] other = new int[n];
        int otherSize = PoissonSampling.sample(SEED, 13, n, 0.2, other);
        assertThat(java.util.Arrays.copyOf(other, otherSize)).isNotEqualTo(java.util.Arrays.copyOf(a, size));
        assertThat(PoissonSampling.sample(SEED, 12, n, 0.0, a)).isZero();
        assertThat(PoissonSampling.sample(SEED, 12, n, 1.0, a)).isEqualTo(n);
    }
}
