package io.ringfold.tensor;

/**
 * Textbook triple-loop BLAS: slow, obviously correct, accumulating in double. It is the oracle the
 * contract tests compare the fast implementations against, and never the one chosen for training.
 */
public final class ReferenceBlas implements Blas {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? (float) (alpha * s) : (float) (alpha * s + beta * c[ci]);
            }
        }
    }

    /** The contract's arithmetic written out element by element: the oracle for the fast kernels' bits. */
    @Override
    public void sgemmRowInvariant(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc) {
        int k = b.rows();
        int n = b.cols();
        int block = k == 0 ? 1 : VectorGemm.kBlock(k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float total = 0f;
                for (int pc = 0; pc < k; pc += block) {
                    float s = 0f;
                    for (int p = pc; p < Math.min(k, pc + block); p++) {
                        s = Math.fma(a[aOff + i * lda + p], b.get(p, j), s);
                    }
                    total = pc == 0 ? s : s + total;
                }
                c[cOff + i * ldc + j] = total;
            }
        }
    }

    @Override
    public void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        int outLen = transA ? n : m;
        int inLen = transA ? m : n;
        for (int i = 0; i < outLen; i++) {
            double s = 0;
            for (int p = 0; p < inLen; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                s += (double) av * x[xOff + p];
            }
            y[yOff + i] = beta == 0f ? (float) (alpha * s) : (float) (alpha * s + beta * y[yOff + i]);
        }
    }

    @Override
    public void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public float sdot(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return (float) s;
    }
}
