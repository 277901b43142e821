package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TallSkinnyGemm} against its arithmetic written out as scalar loops (same bits: this is what makes a
 * block's result independent of the vector width and of where the block sits), against a double-precision
 * reference within the textbook error bound of recursive summation, and for the invariances the full-batch
 * solvers rely on.
 *
 * <p>The bound (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., Lemma 3.1 and 3.3): each
 * fused multiply-add rounds once, so a sum of m products accumulated in order is off by at most
 * {@code γ_m · Σ|products|}, with {@code γ_m = m·u / (1 - m·u)} and u = 2⁻²⁴. A gradient made of J calls of at
 * most C rows each adds J chunk sums, which costs at most γ_(C+J) in all. The double reference itself is off by
 * about m·2⁻⁵³, a billionth of that.
 */
class TallSkinnyGemmTest {

    /** Fixed and printed on failure, so that a failing case can be replayed. */
    private static final long SEED = 20261207L;
    private static final double U = 0x1p-24;

    /** rows: below, at and past the 12-row tile; k: around the vector widths; n: one output, ten, past a panel. */
    private static final int[] ROWS = {0, 1, 11, 12, 13, 25, 49};
    private static final int[] DEPTHS = {0, 1, 7, 16, 17, 64, 65, 130};
    private static final int[] OUTPUTS = {1, 3, 5, 10, 16, 17, 33};

    @Test
    void multiplyIsItsDefinitionBitForBitAndWithinTheErrorBound() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int rows : ROWS) {
            for (int k : DEPTHS) {
                for (int n : OUTPUTS) {
                    String label = "seed " + SEED + ", rows=" + rows + " k=" + k + " n=" + n;
                    // Offsets: the kernel must use them rather than assume rows start at zero.
                    int xOff = 3;
                    int zOff = 5;
                    float[] x = values(random, xOff + rows * k);
                    float[] w = values(random, k * n);
                    float[] z = filled(zOff + rows * n + 2, -7f);
                    float[] packed = new float[TallSkinnyGemm.packedLength(k, n)];
                    TallSkinnyGemm.pack(k, n, w, 0, packed);
                    TallSkinnyGemm.multiply(rows, k, n, x, xOff, packed, z, zOff);
                    for (int i = 0; i < rows; i++) {
                        for (int c = 0; c < n; c++) {
                            float s = 0f;
                            double exact = 0;
                            double magnitude = 0;
                            for (int p = 0; p < k; p++) {
                                float a = x[xOff + i * k + p];
                                float b = w[p * n + c];
                                s = Math.fma(a, b, s);
                                exact += (double) a * b;
                                magnitude += Math.abs((double) a * b);
                            }
                            float got = z[zOff + i * n + c];
                            assertThat(Float.floatToRawIntBits(got)).as("%s, z[%d,%d]", label, i, c)
                                    .isEqualTo(Float.floatToRawIntBits(s));
                            assertThat(Math.abs(got - exact)).as("%s, |z - exact| at [%d,%d]", label, i, c)
                                    .isLessThanOrEqualTo(gamma(k) * magnitude + 1e-30);
                        }
                    }
                    assertThat(z[zOff - 1]).as("%s: before Z", label).isEqualTo(-7f);
                    assertThat(z[zOff + rows * n]).as("%s: after Z", label).isEqualTo(-7f);
                }
            }
        }
    }

    @Test
    void addTransposedProductIsItsDefinitionBitForBitAndWithinTheErrorBound() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int rows : ROWS) {
            for (int k : DEPTHS) {
                for (int n : OUTPUTS) {
                    String label = "seed " + (SEED + 1) + ", rows=" + rows + " k=" + k + " n=" + n;
                    int chunk = 1 + random.nextInt(20);
                    int xOff = 2;
                    int rOff = 4;
                    int gOff = 6;
                    float[] x = values(random, xOff + rows * k);
                    float[] r = values(random, rOff + rows * n);
                    float[] gt = filled(gOff + n * k + 1, -7f);
                    Arrays.fill(gt, gOff, gOff + n * k, 0f);
                    for (int from = 0; from < rows; from += chunk) {
                        TallSkinnyGemm.addTransposedProduct(Math.min(chunk, rows - from), k, n, x, xOff + from * k,
                                r, rOff + from * n, gt, gOff);
                    }
                    int chunks = (rows + chunk - 1) / chunk;
                    for (int c = 0; c < n; c++) {
                        for (int p = 0; p < k; p++) {
                            float total = 0f;
                            double exact = 0;
                            double magnitude = 0;
                            for (int from = 0; from < rows; from += chunk) {
                                float s = 0f;
                                for (int i = from; i < Math.min(rows, from + chunk); i++) {
                                    float a = r[rOff + i * n + c];
                                    float b = x[xOff + i * k + p];
                                    s = Math.fma(a, b, s);
                                    exact += (double) a * b;
                                    magnitude += Math.abs((double) a * b);
                                }
                                total += s;
                            }
                            float got = gt[gOff + c * k + p];
                            assertThat(Float.floatToRawIntBits(got)).as("%s, chunk %d, gt[%d,%d]", label, chunk, c, p)
                                    .isEqualTo(Float.floatToRawIntBits(total));
                            assertThat(Math.abs(got - exact)).as("%s, chunk %d, |gt - exact| at [%d,%d]", label,
                                    chunk, c, p).isLessThanOrEqualTo(gamma(Math.min(chunk, rows) + chunks) * magnitude
                                    + 1e-30);
                        }
                    }
                    assertThat(gt[gOff - 1]).as("%s: before Gt", label).isEqualTo(-7f);
                    assertThat(gt[gOff + n * k]).as("%s: after Gt", label).isEqualTo(-7f);
                }
            }
        }
    }

    /** A row's margins have the same bits alone, in a batch, or anywhere in any split of a block. */
    @Test
    void multiplyGivesEachRowTheSameBitsInAnySplit() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        int rows = 100;
        int k = 784;
        int n = 10;
        float[] x = values(random, rows * k);
        float[] packed = new float[TallSkinnyGemm.packedLength(k, n)];
        TallSkinnyGemm.pack(k, n, values(random, k * n), 0, packed);
        float[] whole = new float[rows * n];
        TallSkinnyGemm.multiply(rows, k, n, x, 0, packed, whole, 0);
        for (int trial = 0; trial < 20; trial++) {
            float[] split = new float[rows * n];
            for (int from = 0; from < rows; ) {
                int count = Math.min(rows - from, 1 + random.nextInt(30));
                TallSkinnyGemm.multiply(count, k, n, x, from * k, packed, split, from * n);
                from += count;
            }
            assertThat(split).as("seed %d, trial %d", SEED + 2, trial).isEqualTo(whole);
        }
        float[] alone = new float[n];
        for (int i = 0; i < rows; i++) {
            TallSkinnyGemm.multiply(1, k, n, x, i * k, packed, alone, 0);
            assertThat(alone).as("seed %d, row %d alone", SEED + 2, i)
                    .isEqualTo(Arrays.copyOfRange(whole, i * n, i * n + n));
        }
    }

    /**
     * A block's gradient depends on its rows and its chunking only: the same bits with the block at another
     * offset of a larger array, after other blocks, from a gradient that other calls filled and were subtracted
     * from (no hidden state carried between calls).
     */
    @Test
    void addTransposedProductDependsOnTheBlockAloneNotOnWhereItSits() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        int rows = 150;
        int k = 784;
        int n = 10;
        int chunk = 48;
        float[] x = values(random, rows * k);
        float[] r = values(random, rows * n);
        float[] alone = new float[n * k];
        for (int from = 0; from < rows; from += chunk) {
            TallSkinnyGemm.addTransposedProduct(Math.min(chunk, rows - from), k, n, x, from * k, r, from * n,
                    alone, 0);
        }
        // The same block as the second of three in one array: other rows before and after it.
        int before = 37;
        float[] bigX = values(random, (before + rows + 11) * k);
        float[] bigR = values(random, (before + rows + 11) * n);
        System.arraycopy(x, 0, bigX, before * k, rows * k);
        System.arraycopy(r, 0, bigR, before * n, rows * n);
        float[] other = new float[n * k];
        TallSkinnyGemm.addTransposedProduct(before, k, n, bigX, 0, bigR, 0, other, 0);
        float[] inside = new float[n * k];
        for (int from = 0; from < rows; from += chunk) {
            TallSkinnyGemm.addTransposedProduct(Math.min(chunk, rows - from), k, n, bigX, (before + from) * k,
                    bigR, (before + from) * n, inside, 0);
        }
        assertThat(inside).as("seed %d", SEED + 3).isEqualTo(alone);
    }

    /** Enough calls for C2 to compile the kernels: the compiled lanes must keep the definition's bits. */
    @Test
    void compiledKernelsKeepTheirBits() {
        SplittableRandom random = new SplittableRandom(SEED + 4);
        int rows = 48;
        int k = 81;
        int n = 10;
        float[] x = values(random, rows * k);
        float[] w = values(random, k * n);
        float[] packed = new float[TallSkinnyGemm.packedLength(k, n)];
        TallSkinnyGemm.pack(k, n, w, 0, packed);
        float[] z = new float[rows * n];
        float[] gt = new float[n * k];
        float[] first = null;
        float[] firstGt = null;
        for (int round = 0; round < 3_000; round++) {
            TallSkinnyGemm.multiply(rows, k, n, x, 0, packed, z, 0);
            Arrays.fill(gt, 0f);
            TallSkinnyGemm.addTransposedProduct(rows, k, n, x, 0, z, 0, gt, 0);
            if (first == null) {
                first = z.clone();
                firstGt = gt.clone();
            }
        }
        assertThat(z).as("seed %d: margins after 3,000 calls", SEED + 4).isEqualTo(first);
        assertThat(gt).as("seed %d: gradient after 3,000 calls", SEED + 4).isEqualTo(firstGt);
    }

    @Test
    void packZeroPadsAndKeepsTheColumns() {
        int k = 3;
        int n = 17;
        float[] w = new float[k * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = i + 1;
        }
        float[] packed = filled(TallSkinnyGemm.packedLength(k, n), -1f);
        TallSkinnyGemm.pack(k, n, w, 0, packed);
        float[] z = new float[n];
        float[] one = new float[k];
        for (int p = 0; p < k; p++) {
            Arrays.fill(one, 0f);
            one[p] = 1f;
            TallSkinnyGemm.multiply(1, k, n, one, 0, packed, z, 0);
            assertThat(z).as("row %d of W", p).isEqualTo(Arrays.copyOfRange(w, p * n, p * n + n));
        }
        long padding = 0;
        for (float v : packed) {
            padding += v == -1f ? 1 : 0;
        }
        assertThat(padding).as("elements pack left unwritten").isZero();
    }

    @Test
    void badShapesAndShortArraysAreRefusedWithTheirNames() {
        float[] packed = new float[TallSkinnyGemm.packedLength(4, 2)];
        assertThatThrownBy(() -> TallSkinnyGemm.multiply(-1, 4, 2, new float[8], 0, packed, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rows, k, n: -1, 4, 2 (expected: non-negative)");
        assertThatThrownBy(() -> TallSkinnyGemm.multiply(3, 4, 2, new float[8], 0, packed, new float[6], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("multiply: X: 3x4 from offset 0 with stride 4 ends at 12");
        assertThatThrownBy(() -> TallSkinnyGemm.multiply(2, 4, 2, new float[8], 0, new float[3], new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("multiply: packed W:");
        assertThatThrownBy(() -> TallSkinnyGemm.addTransposedProduct(2, 4, 2, new float[8], 0, new float[4], 1,
                new float[8], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("addTransposedProduct: R: 2x2 from offset 1");
        assertThatThrownBy(() -> TallSkinnyGemm.packedLength(-2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape: -2x3 (expected: non-negative)");
    }

    private static double gamma(int m) {
        return m * U / (1 - m * U);
    }

    /** Magnitudes over several decades and both signs, so that sums cancel and round. */
    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-2, 3)));
        }
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }
}
