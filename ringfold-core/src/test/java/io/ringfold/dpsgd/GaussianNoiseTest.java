package io.ringfold.dpsgd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The noise of a private step has the documented scale (N(0, std²) per entry; statistical checks with a fixed
 * seed and bounds of about five standard errors, so a correct generator fails them with probability below
 * 1e-6), and seeded noise depends on (seed, step, index) alone: any split of the parameters over workers gives
 * every entry the same value.
 */
class GaussianNoiseTest {

    private static final long SEED = 20261207L;
    private static final int N = 400_000;

    @Test
    void seededNoiseHasMeanZeroAndTheGivenStandardDeviation() {
        System.out.println("GaussianNoiseTest seed " + SEED);
        double std = 0.37;
        float[] v = new float[N];
        GaussianNoise.seeded().add(v, 0, N, SEED, 5, std);
        assertMoments(v, std);
    }

    @Test
    void secureNoiseHasMeanZeroAndTheGivenStandardDeviation() {
        double std = 2.5;
        float[] v = new float[N];
        GaussianNoise noise = GaussianNoise.secure();
        assertThat(noise.isSecure()).isTrue();
        noise.add(v, 0, N, SEED, 5, std);
        assertMoments(v, std);
        float[] again = new float[N];
        noise.add(again, 0, N, SEED, 5, std);
        assertThat(again).as("secure noise does not repeat for the same seed and step").isNotEqualTo(v);
    }

    /**
     * Mean within 5 standard errors (std / sqrt(n)) of 0; sample standard deviation within 5 of its standard
     * errors (std / sqrt(2n)) of std; the fraction beyond 1.96 std within 5 binomial errors of 5%, so the
     * shape is normal, not only the first two moments.
     */
    private static void assertMoments(float[] v, double std) {
        double sum = 0;
        double sq = 0;
        long tail = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
            if (Math.abs(x) > 1.959964 * std) {
                tail++;
            }
        }
        double n = v.length;
        double mean = sum / n;
        double sd = Math.sqrt(sq / n - mean * mean);
        assertThat(Math.abs(mean)).as("mean").isLessThan(5 * std / Math.sqrt(n));
        assertThat(Math.abs(sd - std)).as("standard deviation %s", sd).isLessThan(5 * std / Math.sqrt(2 * n));
        double p = tail / n;
        assertThat(Math.abs(p - 0.05)).as("share beyond 1.96 sd: %s", p).isLessThan(5 * Math.sqrt(0.05 * 0.95 / n));
        assertThat(sd).as("not a constant").isGreaterThan(0);
    }

    @Test
    void seededNoiseIsTheSameForAnySplitOfTheParameters() {
        int p = 1001;
        float[] whole = new float[p];
        GaussianNoise.seeded().add(whole, 0, p, SEED, 9, 1.0);
        for (int[] cuts : new int[][] {{0, 500, 1001}, {0, 333, 667, 1001}, {0, 1, 2, 999, 1000, 1001}}) {
            float[] parts = new float[p];
            for (int i = 0; i + 1 < cuts.length; i++) {
                GaussianNoise.seeded().add(parts, cuts[i], cuts[i + 1], SEED, 9, 1.0);
            }
            assertThat(parts).as("cuts %s", java.util.Arrays.toString(cuts)).containsExactly(whole);
        }
    }

    @Test
    void seededNoiseDiffersBetweenStepsAndSeedsAndAdjacentEntriesAreUncorrelated() {
        int p = 100_000;
        float[] a = new float[p];
        float[] b = new float[p];
        float[] c = new float[p];
        GaussianNoise.seeded().add(a, 0, p, SEED, 1, 1.0);
        GaussianNoise.seeded().add(b, 0, p, SEED, 2, 1.0);
        GaussianNoise.seeded().add(c, 0, p, SEED + 1, 1, 1.0);
        // Correlations of independent N(0,1) samples have standard error 1/sqrt(p): 5 of them bound each.
        double bound = 5 / Math.sqrt(p);
        assertThat(Math.abs(correlation(a, b, 0))).as("steps").isLessThan(bound);
        assertThat(Math.abs(correlation(a, c, 0))).as("seeds").isLessThan(bound);
        assertThat(Math.abs(correlation(a, a, 1))).as("entries 2k and 2k+1 (a Box-Muller pair)").isLessThan(bound);
    }

    private static double correlation(float[] x, float[] y, int lag) {
        double s = 0;
        int n = x.length - lag;
        for (int i = 0; i < n; i++) {
            s += (double) x[i] * y[i + lag];
        }
        return s / n;
    }
}
