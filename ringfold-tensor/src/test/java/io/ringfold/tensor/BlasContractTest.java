package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@link Blas} contract, run against each fast implementation and checked against
 * {@link ReferenceBlas} (double accumulation). The error bound is the textbook one for a k-term dot
 * product, {@code ~k·u·Σ|a·b|}, with the magnitudes Σ|a·b| computed by the reference on |A| and |B|.
 */
abstract class BlasContractTest {

    /** Fixed and printed on failure, so a failing case can be replayed. */
    static final long SEED = 20240611L;
    private static final float UNIT_ROUNDOFF = 0x1p-24f;
    private static final float SENTINEL = -7777f;

    private final ReferenceBlas reference = new ReferenceBlas();

    abstract Blas blas();

    /** m, n, k: ragged edges (1, 3, 17, 130), several k-blocks (600), and one past the parallel threshold. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {3, 1, 17}, {1, 17, 3}, {17, 3, 1}, {3, 17, 130}, {17, 130, 3},
        {130, 17, 33}, {33, 34, 600}, {130, 150, 60}, {0, 5, 3}, {4, 0, 3}, {5, 4, 0},
    };
    static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 1f}, {-1.5f, 0.25f}};

    @Test
    void sgemmMatchesReferenceForAllTransposesAndScalings() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int[] shape : SHAPES) {
            for (int variant = 0; variant < 4; variant++) {
                for (float[] ab : ALPHA_BETA) {
                    checkGemm(random, shape[0], shape[1], shape[2], (variant & 1) != 0, (variant & 2) != 0,
                            ab[0], ab[1]);
                }
            }
        }
    }

    private void checkGemm(SplittableRandom random, int m, int n, int k, boolean transA, boolean transB,
                           float alpha, float beta) {
        String label = "seed " + SEED + ", m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB="
                + transB + " alpha=" + alpha + " beta=" + beta;
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        // Offsets and leading dimensions larger than the width: the kernel must use both.
        int aOff = 3;
        int lda = aCols + 2;
        int bOff = 5;
        int ldb = bCols + 1;
        int cOff = 7;
        int ldc = n + 3;
        float[] a = randomArray(random, aOff + aRows * lda);
        float[] b = randomArray(random, bOff + bRows * ldb);
        float[] c = new float[cOff + m * ldc + 4];
        Arrays.fill(c, SENTINEL);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = beta == 0f ? Float.NaN : (float) random.nextDouble(-1, 1);
            }
        }
        float[] expected = c.clone();
        reference.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        float[] magnitude = abs(c);
        reference.sgemm(transA, transB, m, n, k, Math.abs(alpha), abs(a), aOff, lda, abs(b), bOff, ldb,
                Math.abs(beta), magnitude, cOff, ldc);
        float[] actual = c.clone();
        blas().sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                assertThat(actual[idx]).as("%s: element %d outside C changed", label, idx).isEqualTo(SENTINEL);
                continue;
            }
            float tolerance = 2 * (k + 2) * UNIT_ROUNDOFF * magnitude[idx] + Float.MIN_NORMAL;
            assertThat(actual[idx]).as("%s: C[%d,%d]", label, rel / ldc, rel % ldc)
                    .isCloseTo(expected[idx], org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    @Test
    void sgemvMatchesReferenceBothWays() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        int[][] shapes = {{1, 1}, {3, 17}, {17, 3}, {130, 33}, {2000, 3}, {5, 0}, {0, 5}};
        for (int[] shape : shapes) {
            for (boolean transA : new boolean[] {false, true}) {
                for (float[] ab : ALPHA_BETA) {
                    int m = shape[0];
                    int n = shape[1];
                    int lda = n + 2;
                    float[] a = randomArray(random, 1 + m * lda);
                    int inLen = transA ? m : n;
                    int outLen = transA ? n : m;
                    float[] x = randomArray(random, 2 + inLen);
                    float[] y = new float[3 + outLen];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = ab[1] == 0f ? Float.NaN : (float) random.nextDouble(-1, 1);
                    }
                    float[] expected = y.clone();
                    reference.sgemv(transA, m, n, ab[0], a, 1, lda, x, 2, ab[1], expected, 3);
                    float[] magnitude = abs(y.clone());
                    reference.sgemv(transA, m, n, Math.abs(ab[0]), abs(a), 1, lda, abs(x), 2, Math.abs(ab[1]),
                            magnitude, 3);
                    float[] actual = y.clone();
                    blas().sgemv(transA, m, n, ab[0], a, 1, lda, x, 2, ab[1], actual, 3);
                    for (int i = 0; i < outLen; i++) {
                        float tolerance = 2 * (inLen + 2) * UNIT_ROUNDOFF * magnitude[3 + i] + Float.MIN_NORMAL;
                        assertThat(actual[3 + i]).as("seed %d, sgemv m=%d n=%d transA=%b alpha=%s beta=%s y[%d]",
                                SEED, m, n, transA, ab[0], ab[1], i)
                                .isCloseTo(expected[3 + i], org.assertj.core.data.Offset.offset(tolerance));
                    }
                    assertThat(Arrays.copyOfRange(actual, 0, 3)).as("y before yOff").isEqualTo(Arrays.copyOfRange(y, 0, 3));
                }
            }
        }
    }

    @Test
    void saxpyAndSdotMatchReferenceOnShortAndLongVectors() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int n : new int[] {0, 1, 3, 17, 130, 1023, 1024, 5000}) {
            float[] x = randomArray(random, n + 2);
            float[] y = randomArray(random, n + 5);
            float dot = blas().sdot(n, x, 2, y, 5);
            double bound = 0;
            for (int i = 0; i < n; i++) {
                bound += Math.abs((double) x[2 + i] * y[5 + i]);
            }
            assertThat((double) dot).as("seed %d, sdot n=%d", SEED, n)
                    .isCloseTo(reference.sdot(n, x, 2, y, 5), org.assertj.core.data.Offset.offset(
                            2 * (n + 2) * UNIT_ROUNDOFF * bound + Float.MIN_NORMAL));

            float[] expected = y.clone();
            reference.saxpy(n, -0.75f, x, 2, expected, 5);
            float[] actual = y.clone();
            blas().saxpy(n, -0.75f, x, 2, actual, 5);
            for (int i = 0; i < actual.length; i++) {
                // One rounding (fused) or two (separate multiply and add): within a few ulps of the scale.
                float scale = Math.abs(y[i]) + (i >= 5 && i < 5 + n ? Math.abs(0.75f * x[i - 3]) : 0f);
                assertThat(actual[i]).as("seed %d, saxpy n=%d y[%d]", SEED, n, i)
                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(4 * UNIT_ROUNDOFF * scale));
            }
        }
    }

    @Test
    void sameCallTwiceGivesTheSameBits() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        int m = 130;
        int n = 150;
        int k = 300;
        float[] a = randomArray(random, m * k);
        float[] b = randomArray(random, k * n);
        float[] first = new float[m * n];
        float[] second = new float[m * n];
        blas().sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, first, 0, n);
        blas().sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, second, 0, n);
        assertThat(second).isEqualTo(first);
        assertThat(Float.floatToRawIntBits(blas().sdot(m * k, a, 0, a, 0)))
                .isEqualTo(Float.floatToRawIntBits(blas().sdot(m * k, a, 0, a, 0)));
    }

    /**
     * m, k, n for the row-invariant product: one row, ragged row tiles (7, 13), several k-blocks (257, 600,
     * 784, a short fourth block in 785, five blocks in 1100), ragged panels (1, 10, 33, 40) and four-panel
     * groups (128, 130), and one past the parallel threshold.
     */
    static final int[][] INVARIANT_SHAPES = {
        {1, 1, 1}, {1, 784, 128}, {1, 600, 130}, {1, 785, 40}, {3, 1100, 17}, {2, 17, 10}, {5, 64, 64},
        {6, 257, 33}, {7, 784, 10},
        {13, 300, 1}, {31, 128, 130}, {130, 784, 128}, {0, 5, 3}, {4, 0, 3}, {3, 5, 0},
    };

    @Test
    void rowInvariantProductHasTheBitsOfItsDefinition() {
        SplittableRandom random = new SplittableRandom(SEED + 4);
        for (int[] shape : INVARIANT_SHAPES) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            String label = "seed " + SEED + ", m=" + m + " k=" + k + " n=" + n;
            int aOff = 3;
            int lda = k + 2;
            int cOff = 7;
            int ldc = n + 3;
            float[] a = randomArray(random, aOff + m * lda);
            PackedMatrix b = PackedMatrix.of(k, n, randomArray(random, 1 + k * (n + 1)), 1, n + 1);
            float[] c = new float[cOff + m * ldc + 4];
            Arrays.fill(c, Float.NaN);
            Arrays.fill(c, 0, cOff, SENTINEL);
            float[] expected = c.clone();
            reference.sgemmRowInvariant(m, a, aOff, lda, b, expected, cOff, ldc);
            float[] actual = c.clone();
            blas().sgemmRowInvariant(m, a, aOff, lda, b, actual, cOff, ldc);
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                assertThat(Float.floatToRawIntBits(actual[idx])).as("%s: %s %d", label,
                        inside ? "C[" + rel / ldc + "," + rel % ldc + "]" : "element outside C", idx)
                        .isEqualTo(Float.floatToRawIntBits(inside ? expected[idx] : c[idx]));
            }
        }
    }

    @Test
    void aRowOfTheRowInvariantProductHasTheSameBitsAloneAndAnywhereInABatch() {
        SplittableRandom random = new SplittableRandom(SEED + 5);
        int k = 784;
        int n = 130;
        int m = 200;
        float[] a = randomArray(random, m * k);
        PackedMatrix b = PackedMatrix.of(k, n, randomArray(random, k * n), 0, n);
        float[] alone = new float[m * n];
        for (int i = 0; i < m; i++) {
            blas().sgemmRowInvariant(1, a, i * k, k, b, alone, i * n, n);
        }
        for (int trial = 0; trial < 20; trial++) {
            int from = random.nextInt(m);
            int rows = 1 + random.nextInt(m - from);
            float[] c = new float[rows * n];
            blas().sgemmRowInvariant(rows, a, from * k, k, b, c, 0, n);
            assertThat(c).as("seed %d: rows [%d, %d) as one batch against each alone", SEED + 5, from, from + rows)
                    .isEqualTo(Arrays.copyOfRange(alone, from * n, (from + rows) * n));
        }
    }

    @Test
    void rowInvariantProductHasTheBitsOfTheJavaSgemm() {
        SplittableRandom random = new SplittableRandom(SEED + 6);
        Blas java = new VectorBlas(1);
        for (int[] shape : INVARIANT_SHAPES) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            float[] a = randomArray(random, m * k);
            float[] w = randomArray(random, k * n);
            float[] expected = new float[m * n];
            int lda = Math.max(1, k);
            int ldb = Math.max(1, n);
            java.sgemm(false, false, m, n, k, 1f, a, 0, lda, w, 0, ldb, 0f, expected, 0, ldb);
            float[] actual = new float[m * n];
            blas().sgemmRowInvariant(m, a, 0, lda, PackedMatrix.of(k, n, w, 0, ldb), actual, 0, ldb);
            assertThat(actual).as("seed %d, m=%d k=%d n=%d", SEED + 6, m, k, n).isEqualTo(expected);
        }
    }

    @Test
    void rejectsOperandsThatDoNotFitTheirArrays() {
        float[] a = new float[12];
        float[] b = new float[12];
        float[] c = new float[12];
        assertThatThrownBy(() -> blas().sgemm(false, false, 3, 4, 4, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sgemm: A leading dimension: 3");
        assertThatThrownBy(() -> blas().sgemm(false, false, 3, 4, 4, 1f, a, 1, 4, b, 0, 4, 0f, c, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sgemm: A: 3x4 from offset 1");
        assertThatThrownBy(() -> blas().sdot(5, a, 10, b, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sdot: x: 5 elements from offset 10");
        PackedMatrix w = PackedMatrix.of(4, 3, b, 0, 3);
        assertThatThrownBy(() -> blas().sgemmRowInvariant(3, a, 1, 4, w, c, 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sgemmRowInvariant: A: 3x4 from offset 1");
        assertThatThrownBy(() -> blas().sgemmRowInvariant(3, a, 0, 4, w, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sgemmRowInvariant: C leading dimension: 2");
    }

    static float[] randomArray(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.isNaN(x[i]) ? 0f : Math.abs(x[i]);
        }
        return out;
    }
}
