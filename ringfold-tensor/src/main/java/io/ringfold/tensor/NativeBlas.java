package io.ringfold.tensor;

/**
 * BLAS by OpenBLAS through a small JNI shim, with Java arrays passed without copying. Every argument is
 * checked in Java before it reaches native code. OpenBLAS is found and loaded once per JVM (see
 * {@link OpenBlasBindings}); {@link #unavailableReason()} says why when it cannot be.
 *
 * <p>Determinism: OpenBLAS gives the same bits for the same call and thread count; it does not promise
 * the same bits for different thread counts. The thread count is process-wide in OpenBLAS, so the last
 * {@link #create(int)} sets it for every instance. {@link #sgemmRowInvariant} is not OpenBLAS but the
 * Java kernel, whose bits the contract fixes. Vectors shorter than {@link #JNI_MIN_LENGTH} go to
 * the Java kernels instead, where a JNI transition would cost more than the arithmetic.
 */
public final class NativeBlas implements Blas {

    /** saxpy/sdot below this length run in Java (a JNI call with critical arrays costs ~0.1 µs). */
    static final int JNI_MIN_LENGTH = 1024;

    private final int threads;
    private final String name;
    /** Threads for {@link #sgemmRowInvariant}, which runs in Java: its arithmetic is fixed by the contract. */
    private final BlasThreadPool pool;

    private NativeBlas(int threads, OpenBlasBindings.State state) {
        this.threads = threads;
        this.pool = new BlasThreadPool(threads);
        this.name = describe(state.config(), state.coreName(), threads);
    }

    /** True when the shim and OpenBLAS load on this machine. */
    public static boolean isAvailable() {
        return OpenBlasBindings.state().loaded();
    }

    /** Why native BLAS cannot be used here, naming what is missing; empty when it can. */
    public static String unavailableReason() {
        String failure = OpenBlasBindings.state().failure();
        return failure == null ? "" : failure;
    }

    /** Where OpenBLAS was loaded from and how its core type was chosen; empty when not loaded. */
    public static String loadDetails() {
        OpenBlasBindings.State s = OpenBlasBindings.state();
        return s.loaded() ? s.libraryPath() + ", " + s.coreTypeSource() + ", config: " + s.config() : "";
    }

    /**
     * OpenBLAS with {@code threads} threads (process-wide).
     *
     * @throws IllegalStateException naming what is missing, when native BLAS is unavailable
     */
    public static NativeBlas create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        OpenBlasBindings.State state = OpenBlasBindings.state();
        if (!state.loaded()) {
            throw new IllegalStateException("native BLAS unavailable: " + state.failure());
        }
        OpenBlasBindings.setThreads(threads);
        return new NativeBlas(threads, state);
    }

    /** "openblas 0.3.21 (core Cooperlake, 2 threads)" from a config string like "OpenBLAS 0.3.21 ...". */
    static String describe(String config, String coreName, int threads) {
        String[] words = config.trim().split("\\s+");
        String version = words.length > 1 && words[0].equalsIgnoreCase("OpenBLAS") ? words[1] : "(" + config + ")";
        return "openblas " + version + " (core " + coreName.trim() + ", " + threads
                + (threads == 1 ? " thread)" : " threads)");
    }

    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return name;
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
        OpenBlasBindings.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * The Java kernel of {@link VectorBlas}: OpenBLAS picks its kernels by shape (another for a single
     * row, for small or ragged products, another split over threads), so a row's bits would depend on
     * its batch.
     */
    @Override
    public void sgemmRowInvariant(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc) {
        RowInvariantGemm.multiply(pool, m, a, aOff, lda, b, c, cOff, ldc);
    }

    @Override
    public void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        BlasArguments.checkGemv(transA, m, n, a, aOff, lda, x, xOff, y, yOff);
        int outLen = transA ? n : m;
        if (outLen == 0) {
            return;
        }
        if (beta == 0f) {
            // OpenBLAS versions differ on whether beta == 0 clears NaN in y; the contract says it does.
            java.util.Arrays.fill(y, yOff, yOff + outLen, 0f);
        }
        if (m == 0 || n == 0) {
            // An empty sum: y = beta * y, which CBLAS would skip altogether.
            VectorGemm.scale(1, outLen, beta, y, yOff, outLen);
            return;
        }
        OpenBlasBindings.sgemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    public void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        BlasArguments.checkVector("saxpy: x", x, xOff, n);
        BlasArguments.checkVector("saxpy: y", y, yOff, n);
        if (n < JNI_MIN_LENGTH) {
            VectorBlas.axpy(n, alpha, x, xOff, y, yOff);
        } else {
            OpenBlasBindings.saxpy(n, alpha, x, xOff, y, yOff);
        }
    }

    @Override
    public float sdot(int n, float[] x, int xOff, float[] y, int yOff) {
        BlasArguments.checkVector("sdot: x", x, xOff, n);
        BlasArguments.checkVector("sdot: y", y, yOff, n);
        return n < JNI_MIN_LENGTH ? VectorBlas.dot(n, x, xOff, y, yOff) : OpenBlasBindings.sdot(n, x, xOff, y, yOff);
    }
}
