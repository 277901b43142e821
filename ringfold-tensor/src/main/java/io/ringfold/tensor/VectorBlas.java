package io.ringfold.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pure-Java BLAS on the incubating Vector API ({@link FloatVector#SPECIES_PREFERRED}, fused
 * multiply-add). SGEMM packs its operands and runs a register-blocked micro-kernel
 * ({@link VectorGemm}); large products are split over rows or columns of C (never over k) between a
 * small fixed pool of threads, so every element of C sees the same operations whatever the thread count:
 * results are bit-identical for 1 and N threads. They can differ from other implementations, and from
 * this one on a CPU with another vector width, in the last bits.
 */
public final class VectorBlas implements Blas {

    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = S.length();
    /** Below this many multiply-adds a product is not worth handing to another thread (~tens of µs). */
    static final long PARALLEL_MIN_FMAS = 1L << 20;

    private final BlasThreadPool pool;

    /** Uses {@code threads} threads (the caller plus {@code threads - 1} pool threads) for large GEMMs. */
    public VectorBlas(int threads) {
        this.pool = new BlasThreadPool(threads);
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "java-vector " + S.vectorBitSize() + "-bit (" + pool.threads()
                + (pool.threads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        BlasArguments.checkGemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            VectorGemm.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        boolean splitRows = m >= n;
        int unit = splitRows ? VectorGemm.MR : VectorGemm.NR;
        int extent = splitRows ? m : n;
        int tiles = (extent + unit - 1) / unit;
        int parts = (long) m * n * k < PARALLEL_MIN_FMAS ? 1 : Math.min(pool.threads(), tiles);
        if (parts == 1) {
            VectorGemm.multiply(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc, GemmWorkspace.current());
            return;
        }
        // Parts start at multiples of the micro-tile, which keeps the per-element arithmetic unchanged.
        pool.run(parts, (part, total) -> {
            int from = (int) ((long) tiles * part / total) * unit;
            int to = Math.min(extent, (int) ((long) tiles * (part + 1) / total) * unit);
            GemmWorkspace ws = GemmWorkspace.current();
            if (splitRows) {
                VectorGemm.multiply(transA, transB, from, to, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, ws);
            } else {
                VectorGemm.multiply(transA, transB, 0, m, from, to, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, ws);
            }
        });
    }

    @Override
    public void sgemmRowInvariant(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc) {
        RowInvariantGemm.multiply(pool, m, a, aOff, lda, b, c, cOff, ldc);
    }

    @Override
    public void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        BlasArguments.checkGemv(transA, m, n, a, aOff, lda, x, xOff, y, yOff);
        if (!transA) {
            for (int i = 0; i < m; i++) {
                float s = alpha * dot(n, a, aOff + i * lda, x, xOff);
                y[yOff + i] = beta == 0f ? s : Math.fma(beta, y[yOff + i], s);
            }
            return;
        }
        // y = beta*y, then one axpy per row of A: rows are read contiguously, in a fixed order.
        VectorGemm.scale(1, n, beta, y, yOff, n);
        for (int p = 0; p < m; p++) {
            axpy(n, alpha * x[xOff + p], a, aOff + p * lda, y, yOff);
        }
    }

    @Override
    public void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        BlasArguments.checkVector("saxpy: x", x, xOff, n);
        BlasArguments.checkVector("saxpy: y", y, yOff, n);
        axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public float sdot(int n, float[] x, int xOff, float[] y, int yOff) {
        BlasArguments.checkVector("sdot: x", x, xOff, n);
        BlasArguments.checkVector("sdot: y", y, yOff, n);
        return dot(n, x, xOff, y, yOff);
    }

    /** {@code y += alpha * x} with one fused multiply-add per element (vector body and scalar tail alike). */
    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector vx = FloatVector.fromArray(S, x, xOff + i);
            FloatVector vy = FloatVector.fromArray(S, y, yOff + i);
            vx.fma(va, vy).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
        }
    }

    /**
     * Dot product with two vector accumulators (element i goes to lane i mod L of accumulator
     * (i / L) mod 2), lanes summed in index order, then the scalar tail. The lane sum is written out
     * rather than {@code reduceLanes}, whose order the API leaves unspecified.
     */
    static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            s1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
        }
        if (i <= n - L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            i += L;
        }
        FloatVector sv = s0.add(s1);
        float s = 0f;
        for (int lane = 0; lane < L; lane++) {
            s += sv.lane(lane);
        }
        for (; i < n; i++) {
            s = Math.fma(x[xOff + i], y[yOff + i], s);
        }
        return s;
    }
}
