package io.ringfold.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products of a linear model's full-batch gradient over a tall block of rows and a few outputs
 * (ten classes, or one): {@code Z = X·W} and {@code Gᵀ += Rᵀ·X}, X being rows×k row-major and read in
 * place. A general SGEMM packs X on every call, which for n = 10 costs more than the multiply; these
 * kernels pack only W (k×n, small), and their callers feed them a few dozen rows at a time so that the
 * second product finds those rows of X still in cache.
 *
 * <p>The arithmetic is part of the contract, so that a block gives the same bits wherever it is computed:
 * <ul>
 *   <li>{@link #multiply}: {@code z[i,c]} is {@code x[i,p]·w[p,c]} accumulated for p in order with fused
 *       multiply-adds from zero (one lane per output). A row's result does not depend on the other rows
 *       of the call, on its position, or on the vector width.</li>
 *   <li>{@link #addTransposedProduct}: {@code gt[c,p] += s}, where s is {@code r[i,c]·x[i,p]} accumulated
 *       for the call's rows in order with fused multiply-adds from zero (one lane per column of X), then
 *       added with one rounding. So the result depends on how the caller cuts its rows into calls (a fixed
 *       chunk size gives a fixed order), never on the vector width.</li>
 * </ul>
 * Summing a call's rows apart and then adding keeps the error of a long sum near that of a chunk plus the
 * number of chunks, rather than the number of rows.
 */
public final class TallSkinnyGemm {

    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = S.length();
    /** Rows per tile of {@link #multiply}: 12 accumulators, one W vector and a broadcast fit the registers. */
    private static final int ROWS = 12;
    /** Outputs per pass of {@link #addTransposedProduct}: 5 outputs × 4 column vectors = 20 accumulators. */
    private static final int OUTPUTS = 5;
    private static final int COLUMN_VECTORS = 4;

    /**
     * Columns per call of the 12-row kernel. Short calls let HotSpot count invocations sooner: until C2 has
     * compiled it, Vector API code runs a hundred times slower, and with whole 784-column calls the first
     * evaluation of a block spent seconds there.
     */
    private static final int SEGMENT = 64;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[ROWS * L]);

    private TallSkinnyGemm() {
    }

    /** Length of the array {@link #pack} fills for a k×n matrix: panels of one vector's width, zero-padded. */
    public static int packedLength(int k, int n) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("shape: " + k + "x" + n + " (expected: non-negative)");
        }
        return Math.multiplyExact(panels(n) * L, k);
    }

    /**
     * Packs W (k×n, row-major from {@code wOff}) for {@link #multiply}: panel q holds columns
     * {@code [q·L, q·L + L)}, row after row, the columns past n set to zero.
     */
    public static void pack(int k, int n, float[] w, int wOff, float[] packed) {
        int length = packedLength(k, n);
        BlasArguments.checkStored("pack: W", w, wOff, Math.max(1, n), k, n);
        BlasArguments.checkVector("pack: packed", packed, 0, length);
        java.util.Arrays.fill(packed, 0, length, 0f);
        for (int q = 0, panels = panels(n); q < panels; q++) {
            int width = Math.min(L, n - q * L);
            for (int p = 0; p < k; p++) {
                System.arraycopy(w, wOff + p * n + q * L, packed, (q * k + p) * L, width);
            }
        }
    }

    /** {@code z[zOff..] = X·W} (rows×n, row-major, overwritten), X rows×k from {@code xOff}, W {@link #pack}ed. */
    public static void multiply(int rows, int k, int n, float[] x, int xOff, float[] packed, float[] z, int zOff) {
        checkShape(rows, k, n);
        BlasArguments.checkStored("multiply: X", x, xOff, Math.max(1, k), rows, k);
        BlasArguments.checkVector("multiply: packed W", packed, 0, packedLength(k, n));
        BlasArguments.checkStored("multiply: Z", z, zOff, Math.max(1, n), rows, n);
        float[] tile = TILE.get();
        for (int q = 0, panels = panels(n); q < panels; q++) {
            int width = Math.min(L, n - q * L);
            int pOff = q * k * L;
            int i = 0;
            for (; i + ROWS <= rows; i += ROWS) {
                // At least one call, which zeroes the tile when k is 0.
                int p = 0;
                do {
                    tile12(p, Math.min(k, p + SEGMENT), k, x, xOff + i * k, packed, pOff, tile);
                    p += SEGMENT;
                } while (p < k);
                for (int r = 0; r < ROWS; r++) {
                    System.arraycopy(tile, r * L, z, zOff + (i + r) * n + q * L, width);
                }
            }
            for (; i < rows; i++) {
                row(k, x, xOff + i * k, packed, pOff, tile);
                System.arraycopy(tile, 0, z, zOff + i * n + q * L, width);
            }
        }
    }

    /**
     * {@code gt[gtOff..] += Rᵀ·X}: gt is n×k row-major (the transpose of the gradient {@code Xᵀ·R}), R is
     * rows×n row-major from {@code rOff}, X rows×k from {@code xOff}.
     */
    public static void addTransposedProduct(int rows, int k, int n, float[] x, int xOff, float[] r, int rOff,
                                            float[] gt, int gtOff) {
        checkShape(rows, k, n);
        BlasArguments.checkStored("addTransposedProduct: X", x, xOff, Math.max(1, k), rows, k);
        BlasArguments.checkStored("addTransposedProduct: R", r, rOff, Math.max(1, n), rows, n);
        BlasArguments.checkStored("addTransposedProduct: Gt", gt, gtOff, Math.max(1, k), n, k);
        if (rows == 0) {
            return;
        }
        int vectorEnd = k / L * L;
        int wideEnd = k / (COLUMN_VECTORS * L) * (COLUMN_VECTORS * L);
        int c = 0;
        for (; c + OUTPUTS <= n; c += OUTPUTS) {
            int p = 0;
            for (; p < wideEnd; p += COLUMN_VECTORS * L) {
                fiveByFour(rows, k, n, x, xOff + p, r, rOff + c, gt, gtOff + c * k + p);
            }
            for (; p < vectorEnd; p += L) {
                fiveByOne(rows, k, n, x, xOff + p, r, rOff + c, gt, gtOff + c * k + p);
            }
        }
        for (; c < n; c++) {
            int p = 0;
            for (; p < wideEnd; p += COLUMN_VECTORS * L) {
                oneByFour(rows, k, n, x, xOff + p, r, rOff + c, gt, gtOff + c * k + p);
            }
            for (; p < vectorEnd; p += L) {
                oneByOne(rows, k, n, x, xOff + p, r, rOff + c, gt, gtOff + c * k + p);
            }
        }
        // Columns past the last whole vector: the lanes' arithmetic, one column at a time.
        for (int p = vectorEnd; p < k; p++) {
            for (c = 0; c < n; c++) {
                float s = 0f;
                for (int i = 0; i < rows; i++) {
                    s = Math.fma(r[rOff + i * n + c], x[xOff + i * k + p], s);
                }
                gt[gtOff + c * k + p] += s;
            }
        }
    }

    private static int panels(int n) {
        return (n + L - 1) / L;
    }

    private static void checkShape(int rows, int k, int n) {
        if (rows < 0 || k < 0 || n < 0) {
            throw new IllegalArgumentException("rows, k, n: " + rows + ", " + k + ", " + n
                    + " (expected: non-negative)");
        }
    }

    /**
     * Columns {@code [from, to)} of twelve rows from {@code xIdx} (row stride k) times one panel, accumulated onto
     * {@code tile} (row r at {@code r·L}; from zero when {@code from == 0}). Storing and reloading a float between
     * segments changes no bit of the in-order chain.
     */
    private static void tile12(int from, int to, int k, float[] x, int xIdx, float[] packed, int pOff,
                               float[] tile) {
        boolean first = from == 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = first ? zero : FloatVector.fromArray(S, tile, 0);
        FloatVector a1 = first ? zero : FloatVector.fromArray(S, tile, L);
        FloatVector a2 = first ? zero : FloatVector.fromArray(S, tile, 2 * L);
        FloatVector a3 = first ? zero : FloatVector.fromArray(S, tile, 3 * L);
        FloatVector a4 = first ? zero : FloatVector.fromArray(S, tile, 4 * L);
        FloatVector a5 = first ? zero : FloatVector.fromArray(S, tile, 5 * L);
        FloatVector a6 = first ? zero : FloatVector.fromArray(S, tile, 6 * L);
        FloatVector a7 = first ? zero : FloatVector.fromArray(S, tile, 7 * L);
        FloatVector a8 = first ? zero : FloatVector.fromArray(S, tile, 8 * L);
        FloatVector a9 = first ? zero : FloatVector.fromArray(S, tile, 9 * L);
        FloatVector a10 = first ? zero : FloatVector.fromArray(S, tile, 10 * L);
        FloatVector a11 = first ? zero : FloatVector.fromArray(S, tile, 11 * L);
        for (int p = from; p < to; p++) {
            FloatVector w = FloatVector.fromArray(S, packed, pOff + p * L);
            int q = xIdx + p;
            a0 = FloatVector.broadcast(S, x[q]).fma(w, a0);
            a1 = FloatVector.broadcast(S, x[q + k]).fma(w, a1);
            a2 = FloatVector.broadcast(S, x[q + 2 * k]).fma(w, a2);
            a3 = FloatVector.broadcast(S, x[q + 3 * k]).fma(w, a3);
            a4 = FloatVector.broadcast(S, x[q + 4 * k]).fma(w, a4);
            a5 = FloatVector.broadcast(S, x[q + 5 * k]).fma(w, a5);
            a6 = FloatVector.broadcast(S, x[q + 6 * k]).fma(w, a6);
            a7 = FloatVector.broadcast(S, x[q + 7 * k]).fma(w, a7);
            a8 = FloatVector.broadcast(S, x[q + 8 * k]).fma(w, a8);
            a9 = FloatVector.broadcast(S, x[q + 9 * k]).fma(w, a9);
            a10 = FloatVector.broadcast(S, x[q + 10 * k]).fma(w, a10);
            a11 = FloatVector.broadcast(S, x[q + 11 * k]).fma(w, a11);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, L);
        a2.intoArray(tile, 2 * L);
        a3.intoArray(tile, 3 * L);
        a4.intoArray(tile, 4 * L);
        a5.intoArray(tile, 5 * L);
        a6.intoArray(tile, 6 * L);
        a7.intoArray(tile, 7 * L);
        a8.intoArray(tile, 8 * L);
        a9.intoArray(tile, 9 * L);
        a10.intoArray(tile, 10 * L);
        a11.intoArray(tile, 11 * L);
    }

    /** One row times one panel into {@code tile[0..L)}: the same lane arithmetic as {@link #tile12}. */
    private static void row(int k, float[] x, int xIdx, float[] packed, int pOff, float[] tile) {
        FloatVector a = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            a = FloatVector.broadcast(S, x[xIdx + p]).fma(FloatVector.fromArray(S, packed, pOff + p * L), a);
        }
        a.intoArray(tile, 0);
    }

    /*
     * The gradient kernels: each lane is one column of X, and each accumulator one (output, column
     * vector) pair. They are separate small methods on purpose: C2 stops inlining the Vector API calls
     * of a large method (NodeCountInliningCutoff) and then boxes every vector, 20 times slower.
     */

    /** Outputs c..c+4 (from {@code rIdx}) over four column vectors (from {@code xIdx}) into {@code gt[gIdx..]}. */
    private static void fiveByFour(int rows, int k, int n, float[] x, int xIdx, float[] r, int rIdx, float[] gt,
                                   int gIdx) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a42 = a00;
        FloatVector a43 = a00;
        for (int i = 0; i < rows; i++) {
            int q = xIdx + i * k;
            FloatVector x0 = FloatVector.fromArray(S, x, q);
            FloatVector x1 = FloatVector.fromArray(S, x, q + L);
            FloatVector x2 = FloatVector.fromArray(S, x, q + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, x, q + 3 * L);
            int ri = rIdx + i * n;
            FloatVector b = FloatVector.broadcast(S, r[ri]);
            a00 = x0.fma(b, a00);
            a01 = x1.fma(b, a01);
            a02 = x2.fma(b, a02);
            a03 = x3.fma(b, a03);
            b = FloatVector.broadcast(S, r[ri + 1]);
            a10 = x0.fma(b, a10);
            a11 = x1.fma(b, a11);
            a12 = x2.fma(b, a12);
            a13 = x3.fma(b, a13);
            b = FloatVector.broadcast(S, r[ri + 2]);
            a20 = x0.fma(b, a20);
            a21 = x1.fma(b, a21);
            a22 = x2.fma(b, a22);
            a23 = x3.fma(b, a23);
            b = FloatVector.broadcast(S, r[ri + 3]);
            a30 = x0.fma(b, a30);
            a31 = x1.fma(b, a31);
            a32 = x2.fma(b, a32);
            a33 = x3.fma(b, a33);
            b = FloatVector.broadcast(S, r[ri + 4]);
            a40 = x0.fma(b, a40);
            a41 = x1.fma(b, a41);
            a42 = x2.fma(b, a42);
            a43 = x3.fma(b, a43);
        }
        // Written out rather than through a helper taking vectors, which C2 would not inline here.
        int g = gIdx;
        a00.add(FloatVector.fromArray(S, gt, g)).intoArray(gt, g);
        a01.add(FloatVector.fromArray(S, gt, g + L)).intoArray(gt, g + L);
        a02.add(FloatVector.fromArray(S, gt, g + 2 * L)).intoArray(gt, g + 2 * L);
        a03.add(FloatVector.fromArray(S, gt, g + 3 * L)).intoArray(gt, g + 3 * L);
        g += k;
        a10.add(FloatVector.fromArray(S, gt, g)).intoArray(gt, g);
        a11.add(FloatVector.fromArray(S, gt, g + L)).intoArray(gt, g + L);
        a12.add(FloatVector.fromArray(S, gt, g + 2 * L)).intoArray(gt, g + 2 * L);
        a13.add(FloatVector.fromArray(S, gt, g + 3 * L)).intoArray(gt, g + 3 * L);
        g += k;
        a20.add(FloatVector.fromArray(S, gt, g)).intoArray(gt, g);
        a21.add(FloatVector.fromArray(S, gt, g + L)).intoArray(gt, g + L);
        a22.add(FloatVector.fromArray(S, gt, g + 2 * L)).intoArray(gt, g + 2 * L);
        a23.add(FloatVector.fromArray(S, gt, g + 3 * L)).intoArray(gt, g + 3 * L);
        g += k;
        a30.add(FloatVector.fromArray(S, gt, g)).intoArray(gt, g);
        a31.add(FloatVector.fromArray(S, gt, g + L)).intoArray(gt, g + L);
        a32.add(FloatVector.fromArray(S, gt, g + 2 * L)).intoArray(gt, g + 2 * L);
        a33.add(FloatVector.fromArray(S, gt, g + 3 * L)).intoArray(gt, g + 3 * L);
        g += k;
        a40.add(FloatVector.fromArray(S, gt, g)).intoArray(gt, g);
        a41.add(FloatVector.fromArray(S, gt, g + L)).intoArray(gt, g + L);
        a42.add(FloatVector.fromArray(S, gt, g + 2 * L)).intoArray(gt, g + 2 * L);
        a43.add(FloatVector.fromArray(S, gt, g + 3 * L)).intoArray(gt, g + 3 * L);
    }

    /** Outputs c..c+4 over one column vector. */
    private static void fiveByOne(int rows, int k, int n, float[] x, int xIdx, float[] r, int rIdx, float[] gt,
                                  int gIdx) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        for (int i = 0; i < rows; i++) {
            FloatVector x0 = FloatVector.fromArray(S, x, xIdx + i * k);
            int ri = rIdx + i * n;
            a0 = x0.fma(FloatVector.broadcast(S, r[ri]), a0);
            a1 = x0.fma(FloatVector.broadcast(S, r[ri + 1]), a1);
            a2 = x0.fma(FloatVector.broadcast(S, r[ri + 2]), a2);
            a3 = x0.fma(FloatVector.broadcast(S, r[ri + 3]), a3);
            a4 = x0.fma(FloatVector.broadcast(S, r[ri + 4]), a4);
        }
        a0.add(FloatVector.fromArray(S, gt, gIdx)).intoArray(gt, gIdx);
        a1.add(FloatVector.fromArray(S, gt, gIdx + k)).intoArray(gt, gIdx + k);
        a2.add(FloatVector.fromArray(S, gt, gIdx + 2 * k)).intoArray(gt, gIdx + 2 * k);
        a3.add(FloatVector.fromArray(S, gt, gIdx + 3 * k)).intoArray(gt, gIdx + 3 * k);
        a4.add(FloatVector.fromArray(S, gt, gIdx + 4 * k)).intoArray(gt, gIdx + 4 * k);
    }

    /** One output over four column vectors (a logistic or linear model's single output). */
    private static void oneByFour(int rows, int k, int n, float[] x, int xIdx, float[] r, int rIdx, float[] gt,
                                  int gIdx) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int i = 0; i < rows; i++) {
            int q = xIdx + i * k;
            FloatVector b = FloatVector.broadcast(S, r[rIdx + i * n]);
            a0 = FloatVector.fromArray(S, x, q).fma(b, a0);
            a1 = FloatVector.fromArray(S, x, q + L).fma(b, a1);
            a2 = FloatVector.fromArray(S, x, q + 2 * L).fma(b, a2);
            a3 = FloatVector.fromArray(S, x, q + 3 * L).fma(b, a3);
        }
        a0.add(FloatVector.fromArray(S, gt, gIdx)).intoArray(gt, gIdx);
        a1.add(FloatVector.fromArray(S, gt, gIdx + L)).intoArray(gt, gIdx + L);
        a2.add(FloatVector.fromArray(S, gt, gIdx + 2 * L)).intoArray(gt, gIdx + 2 * L);
        a3.add(FloatVector.fromArray(S, gt, gIdx + 3 * L)).intoArray(gt, gIdx + 3 * L);
    }

    /** One output over one column vector. */
    private static void oneByOne(int rows, int k, int n, float[] x, int xIdx, float[] r, int rIdx, float[] gt,
                                 int gIdx) {
        FloatVector a = FloatVector.zero(S);
        for (int i = 0; i < rows; i++) {
            a = FloatVector.fromArray(S, x, xIdx + i * k).fma(FloatVector.broadcast(S, r[rIdx + i * n]), a);
        }
        a.add(FloatVector.fromArray(S, gt, gIdx)).intoArray(gt, gIdx);
    }
}
