package io.ringfold.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batch-invariant product behind {@link Blas#sgemmRowInvariant}: {@code C = A · B} with B packed
 * once ({@link PackedMatrix}).
 *
 * <p>Element (i, j) is computed exactly as {@link VectorBlas} computes it: k is cut into the equal
 * blocks of {@link VectorGemm#kBlock} (at most 256, fixed by k alone); within a block the products
 * {@code a[i,p]·b[p,j]} are accumulated in p order with fused multiply-adds from zero; the block sums are
 * added in block order. Nothing in that depends on m, on the other rows of the call, on the row's
 * position, on the thread count or on the vector width (each element lives in one lane), so a row of C
 * has the same bits alone or in any batch, and the same as {@code VectorBlas.sgemm} gives.
 *
 * <p>Full MR-row tiles run {@link VectorGemm}'s micro-kernel on the packed panels, reading A in place
 * (a panel at most one vector wide, such as a classifier's 10 outputs, a narrow kernel over all k-blocks).
 * The rows left over (fewer than MR; all of them for a single row) run one-row kernels over four panels
 * at once, or over four k-blocks at once for the last panels: eight independent accumulators keep the
 * FMA units busy, where the micro-kernel would spend five sixths of its work on padding rows.
 */
final class RowInvariantGemm {

    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = S.length();
    private static final int MR = VectorGemm.MR;
    private static final int NR = VectorGemm.NR;
    private static final int MC = VectorGemm.MC;

    private RowInvariantGemm() {
    }

    /** {@code C[0..m) = A[0..m) · B}, overwritten; large products split their rows over {@code pool}. */
    static void multiply(BlasThreadPool pool, int m, float[] a, int aOff, int lda, PackedMatrix b,
                         float[] c, int cOff, int ldc) {
        int k = b.rows();
        int n = b.cols();
        if (m < 0) {
            throw new IllegalArgumentException("sgemmRowInvariant: m: " + m + " (expected: >= 0)");
        }
        BlasArguments.checkStored("sgemmRowInvariant: A", a, aOff, lda, m, k);
        BlasArguments.checkStored("sgemmRowInvariant: C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            VectorGemm.scale(m, n, 0f, c, cOff, ldc);
            return;
        }
        int tiles = (m + MR - 1) / MR;
        int parts = (long) m * n * k < VectorBlas.PARALLEL_MIN_FMAS ? 1 : Math.min(pool.threads(), tiles);
        if (parts == 1) {
            rows(0, m, a, aOff, lda, b, c, cOff, ldc, GemmWorkspace.current());
            return;
        }
        // Any split gives the same bits; whole tiles keep the fast kernel on every part but the last.
        pool.run(parts, (part, total) -> rows((int) ((long) tiles * part / total) * MR,
                Math.min(m, (int) ((long) tiles * (part + 1) / total) * MR), a, aOff, lda, b, c, cOff, ldc,
                GemmWorkspace.current()));
    }

    private static void rows(int i0, int i1, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff,
                             int ldc, GemmWorkspace ws) {
        int k = b.rows();
        int n = b.cols();
        int kBlock = VectorGemm.kBlock(k);
        float[] pb = b.panels;
        int fullRows = i0 + (i1 - i0) / MR * MR;
        for (int ic = i0; ic < fullRows; ic += MC) {
            int mc = Math.min(MC, fullRows - ic);
            for (int jc = 0; jc < n; jc += NR) {
                int nr = Math.min(NR, n - jc);
                if (nr <= L) {
                    for (int ir = 0; ir < mc; ir += MR) {
                        narrowTile(k, kBlock, a, aOff + (ic + ir) * lda, lda, pb, jc * k, c,
                                cOff + (ic + ir) * ldc + jc, ldc, nr, ws.edgeTile);
                    }
                    continue;
                }
                for (int pc = 0; pc < k; pc += kBlock) {
                    int kc = Math.min(kBlock, k - pc);
                    boolean first = pc == 0;
                    // The block's part of the panel is reused by every tile of the MC rows (it stays in L1).
                    int pbOff = jc * k + pc * NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int aIdx = aOff + (ic + ir) * lda + pc;
                        int cIdx = cOff + (ic + ir) * ldc + jc;
                        if (nr == NR) {
                            VectorGemm.kernel(kc, a, aIdx, lda, 1, pb, pbOff, c, cIdx, ldc, 1f, 0f, first);
                        } else {
                            VectorGemm.edgeTile(kc, a, aIdx, lda, 1, pb, pbOff, c, cIdx, ldc, MR, nr, 1f, 0f, first,
                                    ws.edgeTile);
                        }
                    }
                }
            }
        }
        for (int row = fullRows; row < i1; row++) {
            oneRow(k, kBlock, n, a, aOff + row * lda, pb, c, cOff + row * ldc, ws.edgeTile);
        }
    }

    /**
     * MR rows over a panel at most one vector wide (the 10 outputs of a classifier), all k-blocks, the
     * block sums kept in registers: {@link VectorGemm#edgeTile}'s arithmetic without its per-block copies.
     * The nr valid columns go to C through {@code tile}.
     */
    private static void narrowTile(int k, int kBlock, float[] a, int aIdx, int lda, float[] pb, int pbOff, float[] c,
                                   int cIdx, int ldc, int nr, float[] tile) {
        FloatVector t0 = FloatVector.zero(S);
        FloatVector t1 = t0;
        FloatVector t2 = t0;
        FloatVector t3 = t0;
        FloatVector t4 = t0;
        FloatVector t5 = t0;
        int a1 = aIdx + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        for (int pc = 0; pc < k; pc += kBlock) {
            int end = Math.min(k, pc + kBlock);
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            FloatVector s4 = s0;
            FloatVector s5 = s0;
            int bi = pbOff + pc * NR;
            for (int p = pc; p < end; p++, bi += NR) {
                FloatVector b0 = FloatVector.fromArray(S, pb, bi);
                s0 = FloatVector.broadcast(S, a[aIdx + p]).fma(b0, s0);
                s1 = FloatVector.broadcast(S, a[a1 + p]).fma(b0, s1);
                s2 = FloatVector.broadcast(S, a[a2 + p]).fma(b0, s2);
                s3 = FloatVector.broadcast(S, a[a3 + p]).fma(b0, s3);
                s4 = FloatVector.broadcast(S, a[a4 + p]).fma(b0, s4);
                s5 = FloatVector.broadcast(S, a[a5 + p]).fma(b0, s5);
            }
            boolean first = pc == 0;
            // As VectorGemm.store: the first block's sum, then each later one added to the running total.
            t0 = first ? s0 : s0.add(t0);
            t1 = first ? s1 : s1.add(t1);
            t2 = first ? s2 : s2.add(t2);
            t3 = first ? s3 : s3.add(t3);
            t4 = first ? s4 : s4.add(t4);
            t5 = first ? s5 : s5.add(t5);
        }
        t0.intoArray(tile, 0);
        t1.intoArray(tile, L);
        t2.intoArray(tile, 2 * L);
        t3.intoArray(tile, 3 * L);
        t4.intoArray(tile, 4 * L);
        t5.intoArray(tile, 5 * L);
        for (int i = 0; i < MR; i++) {
            for (int j = 0; j < nr; j++) {
                c[cIdx + i * ldc + j] = tile[i * L + j];
            }
        }
    }

    /** Row {@code a[aIdx..aIdx+k)} times B into {@code c[cIdx..cIdx+n)}; a ragged last panel goes through {@code tile}. */
    private static void oneRow(int k, int kBlock, int n, float[] a, int aIdx, float[] pb, float[] c, int cIdx,
                               float[] tile) {
        int panelSize = k * NR;
        int fullPanels = n / NR;
        int q = 0;
        for (; q + 4 <= fullPanels; q += 4) {
            for (int pc = 0; pc < k; pc += kBlock) {
                rowKernel4(Math.min(kBlock, k - pc), a, aIdx + pc, pb, q * panelSize + pc * NR, panelSize, c,
                        cIdx + q * NR, pc == 0);
            }
        }
        for (; q < fullPanels; q++) {
            onePanel(k, kBlock, a, aIdx, pb, q * panelSize, c, cIdx + q * NR);
        }
        int done = fullPanels * NR;
        if (done < n) {
            onePanel(k, kBlock, a, aIdx, pb, q * panelSize, tile, 0);
            System.arraycopy(tile, 0, c, cIdx + done, n - done);
        }
    }

    /**
     * One row over the panel at {@code pbOff} into {@code c[cIdx..cIdx+NR)} (C, or a tile for a ragged
     * panel): four k-blocks at a time, each in its own accumulators and added in block order, so that a
     * narrow layer (the 10 outputs of a classifier) still has eight independent chains of FMAs in flight.
     */
    private static void onePanel(int k, int kBlock, float[] a, int aIdx, float[] pb, int pbOff, float[] c, int cIdx) {
        int blocks = (k + kBlock - 1) / kBlock;
        int b = 0;
        // Groups of four whole blocks; the last block of k can be shorter, and then goes alone.
        for (; (b + 4) * kBlock <= k; b += 4) {
            fourBlocks(kBlock, a, aIdx + b * kBlock, pb, pbOff + b * kBlock * NR, c, cIdx, b == 0);
        }
        for (; b < blocks; b++) {
            int pc = b * kBlock;
            rowKernel1(Math.min(kBlock, k - pc), a, aIdx + pc, pb, pbOff + pc * NR, c, cIdx, b == 0);
        }
    }

    /** Four whole blocks of {@code kBlock} from {@code aIdx}: {@link #rowKernel1}'s arithmetic for each, interleaved. */
    private static void fourBlocks(int kBlock, float[] a, int aIdx, float[] pb, int pbOff, float[] c, int cIdx,
                                   boolean first) {
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        int step = kBlock * NR;
        int bi = pbOff;
        for (int p = 0; p < kBlock; p++, bi += NR) {
            FloatVector a0 = FloatVector.broadcast(S, a[aIdx + p]);
            s00 = a0.fma(FloatVector.fromArray(S, pb, bi), s00);
            s01 = a0.fma(FloatVector.fromArray(S, pb, bi + L), s01);
            FloatVector a1 = FloatVector.broadcast(S, a[aIdx + kBlock + p]);
            s10 = a1.fma(FloatVector.fromArray(S, pb, bi + step), s10);
            s11 = a1.fma(FloatVector.fromArray(S, pb, bi + step + L), s11);
            FloatVector a2 = FloatVector.broadcast(S, a[aIdx + 2 * kBlock + p]);
            s20 = a2.fma(FloatVector.fromArray(S, pb, bi + 2 * step), s20);
            s21 = a2.fma(FloatVector.fromArray(S, pb, bi + 2 * step + L), s21);
            FloatVector a3 = FloatVector.broadcast(S, a[aIdx + 3 * kBlock + p]);
            s30 = a3.fma(FloatVector.fromArray(S, pb, bi + 3 * step), s30);
            s31 = a3.fma(FloatVector.fromArray(S, pb, bi + 3 * step + L), s31);
        }
        VectorGemm.store(s00, c, cIdx, 1f, 0f, first);
        VectorGemm.store(s01, c, cIdx + L, 1f, 0f, first);
        VectorGemm.store(s10, c, cIdx, 1f, 0f, false);
        VectorGemm.store(s11, c, cIdx + L, 1f, 0f, false);
        VectorGemm.store(s20, c, cIdx, 1f, 0f, false);
        VectorGemm.store(s21, c, cIdx + L, 1f, 0f, false);
        VectorGemm.store(s30, c, cIdx, 1f, 0f, false);
        VectorGemm.store(s31, c, cIdx + L, 1f, 0f, false);
    }

    /** One row over four consecutive panels (eight accumulators): each lane sees {@link VectorGemm#kernel}'s operations. */
    private static void rowKernel4(int kc, float[] a, int aIdx, float[] pb, int pbOff, int panelSize, float[] c,
                                   int cIdx, boolean first) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        int p1 = panelSize;
        int p2 = 2 * panelSize;
        int p3 = 3 * panelSize;
        int bi = pbOff;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector av = FloatVector.broadcast(S, a[aIdx + p]);
            c0 = av.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = av.fma(FloatVector.fromArray(S, pb, bi + L), c1);
            c2 = av.fma(FloatVector.fromArray(S, pb, bi + p1), c2);
            c3 = av.fma(FloatVector.fromArray(S, pb, bi + p1 + L), c3);
            c4 = av.fma(FloatVector.fromArray(S, pb, bi + p2), c4);
            c5 = av.fma(FloatVector.fromArray(S, pb, bi + p2 + L), c5);
            c6 = av.fma(FloatVector.fromArray(S, pb, bi + p3), c6);
            c7 = av.fma(FloatVector.fromArray(S, pb, bi + p3 + L), c7);
        }
        VectorGemm.store(c0, c, cIdx, 1f, 0f, first);
        VectorGemm.store(c1, c, cIdx + L, 1f, 0f, first);
        VectorGemm.store(c2, c, cIdx + NR, 1f, 0f, first);
        VectorGemm.store(c3, c, cIdx + NR + L, 1f, 0f, first);
        VectorGemm.store(c4, c, cIdx + 2 * NR, 1f, 0f, first);
        VectorGemm.store(c5, c, cIdx + 2 * NR + L, 1f, 0f, first);
        VectorGemm.store(c6, c, cIdx + 3 * NR, 1f, 0f, first);
        VectorGemm.store(c7, c, cIdx + 3 * NR + L, 1f, 0f, first);
    }

    /** One row over one panel; {@code c[cIdx..cIdx+NR)} must exist (C itself for a full panel, else a tile). */
    private static void rowKernel1(int kc, float[] a, int aIdx, float[] pb, int pbOff, float[] c, int cIdx,
                                   boolean first) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        int bi = pbOff;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector av = FloatVector.broadcast(S, a[aIdx + p]);
            c0 = av.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = av.fma(FloatVector.fromArray(S, pb, bi + L), c1);
        }
        VectorGemm.store(c0, c, cIdx, 1f, 0f, first);
        VectorGemm.store(c1, c, cIdx + L, 1f, 0f, first);
    }

    /**
     * {@code out[0..rows×n) = x[0..rows) · B} for CSR rows, with the dense product's arithmetic: per k-block
     * the row's non-zeros in column order, from zero, then the block sums in order. A zero input adds an
     * exact zero in the dense product, so for finite B both give the same bits for the same row.
     */
    static void multiplySparse(CsrMatrix x, int rows, PackedMatrix b, float[] out) {
        int k = b.rows();
        int n = b.cols();
        if (x.cols() != k || rows < 0 || rows > x.rows()) {
            throw new IllegalArgumentException("sgemmRowInvariant: sparse A " + x.rows() + "x" + x.cols()
                    + ", rows " + rows + " (expected: " + k + " columns and at most " + x.rows() + " rows)");
        }
        BlasArguments.checkVector("sgemmRowInvariant: C", out, 0, rows * n);
        if (n == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(out, 0, rows * n, 0f);
            return;
        }
        int kBlock = VectorGemm.kBlock(k);
        float[] pb = b.panels;
        float[] tile = GemmWorkspace.current().edgeTile;
        for (int r = 0; r < rows; r++) {
            for (int jc = 0; jc < n; jc += NR) {
                int nr = Math.min(NR, n - jc);
                boolean ragged = nr < NR;
                float[] dst = ragged ? tile : out;
                int dIdx = ragged ? 0 : r * n + jc;
                int p = x.rowStart(r);
                int end = x.rowStart(r + 1);
                for (int pc = 0; pc < k; pc += kBlock) {
                    int blockEnd = Math.min(k, pc + kBlock);
                    FloatVector c0 = FloatVector.zero(S);
                    FloatVector c1 = c0;
                    for (; p < end && x.columnAt(p) < blockEnd; p++) {
                        FloatVector av = FloatVector.broadcast(S, x.valueAt(p));
                        int bi = jc * k + x.columnAt(p) * NR;
                        c0 = av.fma(FloatVector.fromArray(S, pb, bi), c0);
                        c1 = av.fma(FloatVector.fromArray(S, pb, bi + L), c1);
                    }
                    VectorGemm.store(c0, dst, dIdx, 1f, 0f, pc == 0);
                    VectorGemm.store(c1, dst, dIdx + L, 1f, 0f, pc == 0);
                }
                if (ragged) {
                    System.arraycopy(tile, 0, out, r * n + jc, nr);
                }
            }
        }
    }
}
