package io.ringfold.federated;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExactMomentsTest {

    /**
     * Floats over the whole range (subnormals, negatives, up to 1e38, zeros), cut into uneven parts: the parts'
     * statistics add up to the pooled rows' exactly, and equal the sums computed independently with BigDecimal.
     */
    @Test
    void partsAddUpToThePooledTotalsWhichAreTheExactSums() {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random random = new Random(seed);
        int rows = 301;
        int d = 5;
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % d) {
                case 0 -> random.nextInt(256); // pixels
                case 1 -> (float) random.nextGaussian() * 1e-3f + 1e4f; // large mean, small spread
                case 2 -> Float.intBitsToFloat(random.nextInt(1 << 23)) * (random.nextBoolean() ? 1 : -1); // subnormal
                case 3 -> (float) (random.nextGaussian() * 1e37);
                default -> random.nextInt(4) == 0 ? 0f : Float.intBitsToFloat(random.nextInt() & 0x7f7fffff);
            };
        }
        long[] pooled = ExactMoments.of(new FloatMatrix(rows, d, x));
        long[] parts = new long[pooled.length];
        int[] cuts = {0, 1, 90, 91, 250, rows};
        for (int p = 0; p + 1 < cuts.length; p++) {
            float[] part = java.util.Arrays.copyOfRange(x, cuts[p] * d, cuts[p + 1] * d);
            long[] v = ExactMoments.of(new FloatMatrix(cuts[p + 1] - cuts[p], d, part));
            assertThat(ExactMoments.refusal(v, d, cuts[p + 1] - cuts[p])).isNull();
            ExactSum.add(parts, v);
        }
        assertThat(parts[parts.length - 1]).isEqualTo(pooled[pooled.length - 1]).isEqualTo(rows);
        for (int c = 0; c < d; c++) {
            // The same numbers; the added limbs are not normalised, so compare values, not limbs.
            assertThat(ExactMoments.total(parts, c, false)).isEqualTo(ExactMoments.total(pooled, c, false));
            assertThat(ExactMoments.total(parts, c, true)).isEqualTo(ExactMoments.total(pooled, c, true));
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal squares = BigDecimal.ZERO;
            for (int r = 0; r < rows; r++) {
                BigDecimal v = new BigDecimal(x[r * d + c]); // a float's exact value
                sum = sum.add(v);
                squares = squares.add(v.multiply(v));
            }
            assertThat(scaled(ExactMoments.total(pooled, c, false), ExactMoments.SUM_EXPONENT)).as("sum of column %d", c)
                    .isEqualByComparingTo(sum);
            assertThat(scaled(ExactMoments.total(pooled, c, true), ExactMoments.SQUARE_EXPONENT))
                    .as("sum of squares of column %d", c).isEqualByComparingTo(squares);
        }
    }

    private static BigDecimal scaled(BigInteger units, int exponent) {
        return new BigDecimal(units).multiply(BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(-exponent)));
    }

    /** Sparse rows give the statistics of the same dense rows (implicit zeros add nothing but the count). */
    @Test
    void sparseRowsGiveTheDenseStatistics() {
        float[] dense = {0, 1.5f, 0, -2f, 0, 0, 7f, 0, 3.25f};
        CsrMatrix sparse = new CsrMatrix(3, 3, new int[] {0, 1, 2, 4}, new int[] {1, 0, 0, 2},
                new float[] {1.5f, -2f, 7f, 3.25f});
        assertThat(ExactMoments.of(sparse)).isEqualTo(ExactMoments.of(new FloatMatrix(3, 3, dense)));
    }

    /**
     * The digits split over ten clients: the standardisation of their added statistics is the single-process one
     * of the pooled rows (the core's Preprocessor.fit), shift and scale bit for bit, and standardises every
     * client's rows to the same bits.
     */
    @Test
    void standardisationOfTheTotalsIsTheSingleProcessOneOfThePooledRows() {
        Dataset pooled = new DataSpec.Digits().load().train();
        List<Dataset> parts = FederatedHarness.digitsParts();
        long[] totals = new long[ExactMoments.length(pooled.numFeatures())];
        for (Dataset part : parts) {
            ExactSum.add(totals, ExactMoments.of(part.features()));
        }
        Preprocessor federated = ExactMoments.standardisation(java.util.Arrays.copyOf(totals, totals.length - 1),
                pooled.schema().featureNames(), totals[totals.length - 1]);
        Preprocessor single = Preprocessor.fit(pooled, true);
        assertThat(single.droppedColumns()).as("an image keeps its constant pixels").isEmpty();
        assertThat(federated.shift()).isEqualTo(single.shift());
        assertThat(federated.scale()).isEqualTo(single.scale());
        assertThat(federated.scale()).as("digits have constant pixels, scaled by 1").contains(1f);
        for (Dataset part : parts) {
            assertThat(((FloatMatrix) federated.apply(part).features()).data())
                    .isEqualTo(((FloatMatrix) single.apply(part).features()).data());
        }
    }

    /** The quotient is the correctly rounded double, checked against BigDecimal at 200 digits (a near-tie needs them). */
    @Test
    void ratioRoundsOnceToTheNearestDouble() {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            BigInteger p = new BigInteger(1 + random.nextInt(400), random).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
            BigInteger q = new BigInteger(1 + random.nextInt(80), random).add(BigInteger.ONE);
            int e = -random.nextInt(300);
            BigDecimal exact = new BigDecimal(p).multiply(BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(-e)))
                    .divide(new BigDecimal(q), new MathContext(200));
            double r = ExactMoments.ratio(p, e, q);
            // Correctly rounded: no double is closer (the neighbours are at least as far).
            BigDecimal error = new BigDecimal(r).subtract(exact).abs();
            assertThat(new BigDecimal(Math.nextUp(r)).subtract(exact).abs()).isGreaterThanOrEqualTo(error);
            assertThat(new BigDecimal(Math.nextDown(r)).subtract(exact).abs()).isGreaterThanOrEqualTo(error);
        }
        assertThat(ExactMoments.ratio(BigInteger.ONE, 0, BigInteger.valueOf(3))).isEqualTo(1.0 / 3);
    }

    @Test
    void nonFiniteValuesAndMalformedStatisticsAreNamed() {
        assertThatThrownBy(() -> ExactMoments.of(new FloatMatrix(2, 2, new float[] {1, 2, 3, Float.POSITIVE_INFINITY})))
                .hasMessageContaining("value Infinity at row 1, column 1 (expected: finite values");
        long[] v = ExactMoments.of(new FloatMatrix(2, 2, new float[] {1, 2, 3, 4}));
        assertThat(ExactMoments.refusal(v, 2, 2)).isNull();
        assertThat(ExactMoments.refusal(java.util.Arrays.copyOf(v, v.length - 1), 2, 2))
                .startsWith("statistics of 62 values (expected: 63");
        assertThat(ExactMoments.refusal(v, 2, 3)).startsWith("statistics of 2 rows (expected: 3");
        long[] bad = v.clone();
        bad[ExactMoments.SUM_LIMBS + 2] = -1;
        assertThat(ExactMoments.refusal(bad, 2, 2)).startsWith("statistics limb -1 of feature 0 at 13");
    }

    /** Totals that no real rows have (a negative variance) fail naming the column. */
    @Test
    void totalsOfNoRealRowsAreRefused() {
        long[] v = ExactMoments.of(new FloatMatrix(2, 1, new float[] {1, 3}));
        long[] forged = java.util.Arrays.copyOf(v, v.length - 1);
        java.util.Arrays.fill(forged, ExactMoments.SUM_LIMBS, ExactMoments.PER_FEATURE, 0); // sum of squares 0
        assertThatThrownBy(() -> ExactMoments.standardisation(forged, List.of("a"), 2))
                .isInstanceOf(FederatedException.class).hasMessageContaining("column 'a' has a negative variance");
    }
}
