package io.ringfold.tensor;

/**
 * Argument checks shared by the fast BLAS implementations. The native one must never let a bad offset
 * or leading dimension reach C code (it would corrupt memory instead of throwing), and the Java one
 * fails early with a message naming the operand rather than deep inside a packing loop.
 */
final class BlasArguments {

    private BlasArguments() {
    }

    static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw fail("sgemm: m, n, k: " + m + ", " + n + ", " + k + " (expected: non-negative)");
        }
        checkStored("sgemm: A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkStored("sgemm: B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkStored("sgemm: C", c, cOff, ldc, m, n);
    }

    static void checkGemv(boolean transA, int m, int n, float[] a, int aOff, int lda,
                          float[] x, int xOff, float[] y, int yOff) {
        if (m < 0 || n < 0) {
            throw fail("sgemv: m, n: " + m + ", " + n + " (expected: non-negative)");
        }
        checkStored("sgemv: A", a, aOff, lda, m, n);
        checkVector("sgemv: x", x, xOff, transA ? m : n);
        checkVector("sgemv: y", y, yOff, transA ? n : m);
    }

    /** A rows×cols matrix stored row-major from {@code off} with row stride {@code ld} must fit the array. */
    static void checkStored(String what, float[] data, int off, int ld, int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw fail(what + " leading dimension: " + ld + " (expected: >= max(1, " + cols + "))");
        }
        if (off < 0) {
            throw fail(what + " offset: " + off + " (expected: >= 0)");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > data.length) {
            throw fail(what + ": " + rows + "x" + cols + " from offset " + off + " with stride " + ld + " ends at "
                    + end + " (expected: <= array length " + data.length + ")");
        }
    }

    static void checkVector(String what, float[] data, int off, int n) {
        if (n < 0 || off < 0 || (long) off + n > data.length) {
            throw fail(what + ": " + n + " elements from offset " + off + " (expected: within array length "
                    + data.length + ")");
        }
    }

    private static IllegalArgumentException fail(String message) {
        return new IllegalArgumentException(message);
    }
}
