package io.ringfold.tensor;

/**
 * Single-precision BLAS subset that training needs, on row-major {@code float[]} storage with offsets
 * and leading dimensions (the row stride), as in CBLAS with {@code CblasRowMajor}.
 *
 * <p>Contract for every implementation: results may differ between implementations in the last bits,
 * but one implementation must give bit-identical results for identical inputs and shapes, whatever the
 * thread that calls it (the determinism of training rests on this). {@code beta == 0} means C is
 * overwritten, even if it held NaN.
 */
public interface Blas {

    /** A short human-readable description, recorded in logs and model provenance. */
    String name();

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} where op(A) is m×k, op(B) is k×n and C is m×n.
     * With {@code transA}, A is stored k×m; with {@code transB}, B is stored n×k.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * {@code C = A · B} for prediction, batch invariant: A is m×k row-major, B a k×n {@link PackedMatrix}
     * (a layer's weights, packed once), C (m×n) is overwritten. Unlike {@link #sgemm}, the arithmetic is
     * part of the contract: every implementation computes each element with the operations and order
     * that {@link VectorBlas#sgemm} uses, which depend on k alone (k-blocks of at most 256, fused
     * multiply-adds in order within a block, block sums in order). So a row of C has the same bits
     * whatever m is, wherever the row sits in A, and on every implementation and thread count.
     * Implementations choose only how many threads share the rows; wrappers see every such product.
     */
    void sgemmRowInvariant(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc);

    /** {@code y = alpha * op(A) * x + beta * y}; A is stored m×n; op(A) is A or Aᵀ. */
    void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
               float[] x, int xOff, float beta, float[] y, int yOff);

    /** {@code y += alpha * x} over n elements. */
    void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** Dot product over n elements (accumulated in float; implementations may reassociate). */
    float sdot(int n, float[] x, int xOff, float[] y, int yOff);

    /** The implementation chosen at start-up (see {@link BlasSelection}). */
    static Blas get() {
        return BlasSelection.selected();
    }
}
