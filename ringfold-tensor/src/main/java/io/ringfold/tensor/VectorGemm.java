package io.ringfold.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded SGEMM on a rectangle of C, after Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 34(3), 2008): op(B) is packed in KC×NC blocks cut
 * into NR-column micro-panels, which a register-blocked MR×NR micro-kernel streams through with fused
 * multiply-adds, broadcasting MR elements of op(A) per step. Unlike Goto, op(A) is read in place with
 * strided broadcasts (only a ragged last MR-row tile is packed): packing A measured twice as slow
 * overall here (42 vs 85-95 GFLOP/s on one Zen 4 core, see bench/RESULTS.md).
 *
 * <p>Determinism: each element of C is computed by the same operations in the same order whatever
 * rectangle it falls in, provided rectangles start at multiples of MR rows and NR columns. Within a
 * k-block the kernel accumulates {@code a[i,p] * b[p,j]} for p in order in one vector lane; k-blocks
 * are fixed by KC and k alone. Edge tiles go through the same kernel on a zero-padded copy. That is
 * what lets {@link VectorBlas} split C between threads without changing a bit of the result.
 */
final class VectorGemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    /** Micro-tile rows: 6 rows × 2 vectors = 12 accumulators, leaving registers for B and the broadcast. */
    static final int MR = 6;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * L;
    /** Depth of one k-block: a B micro-panel (KC×NR) is reused by every MR-row tile of an MC block. */
    static final int KC = 256;
    /** Rows of op(A) swept per B micro-panel (multiple of MR), so that their MC×KC slice stays in L2. */
    static final int MC = 16 * MR;
    /** Columns of op(B) packed at once (multiple of NR). */
    static final int NC = 16 * NR;

    private VectorGemm() {
    }

    /**
     * {@code C[i0..i1, j0..j1) = alpha * op(A) op(B) + beta * C} on that rectangle; i0 and j0 must be
     * multiples of MR and NR. Arguments were validated by the caller; k and alpha are non-degenerate.
     */
    static void multiply(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k,
                         float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        float[] packedA = ws.packedA;
        float[] packedB = ws.packedB;
        int kBlock = kBlock(k);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kBlock) {
                int kc = Math.min(kBlock, k - pc);
                boolean first = pc == 0;
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, packedB);
                // Full MR-row tiles read op(A) in place (strided broadcasts, no copy); only a ragged last
                // tile of rows is packed, zero-padded, so that its rows see the same arithmetic.
                int fullRows = i0 + (i1 - i0) / MR * MR;
                if (fullRows < i1) {
                    packA(transA, a, aOff, lda, fullRows, i1 - fullRows, pc, kc, packedA);
                }
                int rowStride = transA ? 1 : lda;
                int colStride = transA ? lda : 1;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int row = ic + ir;
                            int cIdx = cOff + row * ldc + jc + jr;
                            boolean packedRows = row >= fullRows;
                            float[] aSrc = packedRows ? packedA : a;
                            int aIdx = packedRows ? 0 : aOff + row * rowStride + pc * colStride;
                            int rs = packedRows ? 1 : rowStride;
                            int cs = packedRows ? MR : colStride;
                            if (!packedRows && nr == NR) {
                                kernel(kc, aSrc, aIdx, rs, cs, packedB, jr * kc, c, cIdx, ldc, alpha, beta, first);
                            } else {
                                edgeTile(kc, aSrc, aIdx, rs, cs, packedB, jr * kc, c, cIdx, ldc,
                                        Math.min(MR, i1 - row), nr, alpha, beta, first, ws.edgeTile);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Depth of the k-blocks for a product of depth k (k > 0): equal blocks of at most {@link #KC}
     * (784 = 4 x 196, not 3 x 256 + 16), so there is no short last block. They depend on k alone, which
     * is what makes every element's arithmetic independent of m and n ({@link RowInvariantGemm} relies on it).
     */
    static int kBlock(int k) {
        return (k + ceilDiv(k, KC) - 1) / ceilDiv(k, KC);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** {@code C = beta * C} on m×n, the whole product when k == 0 or alpha == 0; beta == 0 clears NaN. */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    /** Copies the valid part of a ragged tile into a padded MR×NR tile, runs the kernel, copies back. */
    static void edgeTile(int kc, float[] pa, int paOff, int rs, int cs, float[] pb, int pbOff, float[] c, int cIdx, int ldc,
                                 int mr, int nr, float alpha, float beta, boolean first, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        for (int i = 0; i < mr; i++) {
            System.arraycopy(c, cIdx + i * ldc, tile, i * NR, nr);
        }
        if (nr <= L) {
            kernelNarrow(kc, pa, paOff, rs, cs, pb, pbOff, tile, NR, alpha, beta, first);
        } else {
            kernel(kc, pa, paOff, rs, cs, pb, pbOff, tile, 0, NR, alpha, beta, first);
        }
        for (int i = 0; i < mr; i++) {
            System.arraycopy(tile, i * NR, c, cIdx + i * ldc, nr);
        }
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc) (mc <= MR: the ragged last tile) as MR-row micro-panels, element (i, p) at {@code ir*kc + p*MR + i}. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                              float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (transA) {
                // Stored k×m: a row of storage holds MR consecutive rows of op(A).
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    int d = base + p * MR;
                    for (int i = 0; i < mr; i++) {
                        dst[d + i] = a[src + i];
                    }
                    for (int i = mr; i < MR; i++) {
                        dst[d + i] = 0f;
                    }
                }
            } else {
                for (int i = 0; i < MR; i++) {
                    if (i < mr) {
                        int src = aOff + (ic + ir + i) * lda + pc;
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + i] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + i] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc..pc+kc, jc..jc+nc) as NR-column micro-panels, element (p, j) at {@code jr*kc + p*NR + j}. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (nr < NR) {
                java.util.Arrays.fill(dst, base, base + kc * NR, 0f);
            }
            if (transB) {
                // Stored n×k: each op(B) column is a contiguous run of storage.
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * NR + j] = b[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, dst, base + p * NR, nr);
                }
            }
        }
    }

    /**
     * The MR×NR micro-kernel: 12 vector accumulators, one FMA per (row, half) per p. The first k-block
     * applies beta (beta == 0 ignores the old C, so NaN there is overwritten); later blocks add on.
     */
    static void kernel(int kc, float[] pa, int paOff, int rs, int cs, float[] pb, int pbOff, float[] c, int cIdx, int ldc,
                               float alpha, float beta, boolean first) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int ai = paOff;
        int bi = pbOff;
        int rs2 = 2 * rs;
        int rs3 = 3 * rs;
        int rs4 = 4 * rs;
        int rs5 = 5 * rs;
        for (int p = 0; p < kc; p++, ai += cs, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + rs]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[ai + rs2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[ai + rs3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, pa[ai + rs4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, pa[ai + rs5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        store(c00, c, cIdx, alpha, beta, first);
        store(c01, c, cIdx + L, alpha, beta, first);
        store(c10, c, cIdx + ldc, alpha, beta, first);
        store(c11, c, cIdx + ldc + L, alpha, beta, first);
        store(c20, c, cIdx + 2 * ldc, alpha, beta, first);
        store(c21, c, cIdx + 2 * ldc + L, alpha, beta, first);
        store(c30, c, cIdx + 3 * ldc, alpha, beta, first);
        store(c31, c, cIdx + 3 * ldc + L, alpha, beta, first);
        store(c40, c, cIdx + 4 * ldc, alpha, beta, first);
        store(c41, c, cIdx + 4 * ldc + L, alpha, beta, first);
        store(c50, c, cIdx + 5 * ldc, alpha, beta, first);
        store(c51, c, cIdx + 5 * ldc + L, alpha, beta, first);
    }

    /**
     * The left half of {@link #kernel} for tiles at most one vector wide (the 10 outputs of the MLP's
     * last layer): half the work, and each lane sees exactly the operations the full kernel would do.
     */
    private static void kernelNarrow(int kc, float[] pa, int paOff, int rs, int cs, float[] pb, int pbOff,
                                     float[] tile, int ldt, float alpha, float beta, boolean first) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        int ai = paOff;
        int bi = pbOff;
        for (int p = 0; p < kc; p++, ai += cs, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            c0 = FloatVector.broadcast(SPECIES, pa[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(SPECIES, pa[ai + rs]).fma(b0, c1);
            c2 = FloatVector.broadcast(SPECIES, pa[ai + 2 * rs]).fma(b0, c2);
            c3 = FloatVector.broadcast(SPECIES, pa[ai + 3 * rs]).fma(b0, c3);
            c4 = FloatVector.broadcast(SPECIES, pa[ai + 4 * rs]).fma(b0, c4);
            c5 = FloatVector.broadcast(SPECIES, pa[ai + 5 * rs]).fma(b0, c5);
        }
        store(c0, tile, 0, alpha, beta, first);
        store(c1, tile, ldt, alpha, beta, first);
        store(c2, tile, 2 * ldt, alpha, beta, first);
        store(c3, tile, 3 * ldt, alpha, beta, first);
        store(c4, tile, 4 * ldt, alpha, beta, first);
        store(c5, tile, 5 * ldt, alpha, beta, first);
    }

    static void store(FloatVector acc, float[] c, int idx, float alpha, float beta, boolean first) {
        FloatVector result;
        if (first && beta == 0f) {
            result = acc.mul(alpha);
        } else {
            FloatVector old = FloatVector.fromArray(SPECIES, c, idx);
            if (first && beta != 1f) {
                old = old.mul(beta);
            }
            result = acc.fma(FloatVector.broadcast(SPECIES, alpha), old);
        }
        result.intoArray(c, idx);
    }
}
