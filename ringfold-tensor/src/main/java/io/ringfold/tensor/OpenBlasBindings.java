package io.ringfold.tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The OpenBLAS natives of the JNI shim ({@link NativeShim}, src/main/native/ringfold_blas.c) and the
 * OpenBLAS they open, loaded at most once per JVM. Each step checks that what it needs exists (the shim,
 * the OpenBLAS file) and records why it stopped, so that selection can say why native BLAS is not used. The natives take unchecked
 * offsets: callers validate with {@link BlasArguments} first.
 */
final class OpenBlasBindings {

    static final String OPENBLAS_PATH_PROPERTY = "ringfold.openblas.path";
    /** Where distributions put the shared library; Debian's alternatives link comes first. */
    static final List<String> OPENBLAS_CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib64/libopenblas.so.0",
            "/usr/lib/libopenblas.so.0",
            "/usr/local/lib/libopenblas.so.0",
            "/opt/OpenBLAS/lib/libopenblas.so.0");

    /** What loading found: on success the library and core type, else the reason (failure != null). */
    record State(String failure, String libraryPath, String coreTypeSource, String config, String coreName) {
        boolean loaded() {
            return failure == null;
        }
    }

    private static State state;

    private OpenBlasBindings() {
    }

    static synchronized State state() {
        if (state == null) {
            state = load();
        }
        return state;
    }

    private static State load() {
        String shim = NativeShim.failure();
        if (shim != null) {
            return failed(shim);
        }
        String configured = System.getProperty(OPENBLAS_PATH_PROPERTY);
        String library = configured != null ? configured : firstExisting(OPENBLAS_CANDIDATES);
        if (configured != null && !Files.isRegularFile(Path.of(configured))) {
            return failed("-D" + OPENBLAS_PATH_PROPERTY + "=" + configured + ": no such file");
        }
        if (library == null) {
            return failed("OpenBLAS not found (install libopenblas0 or set -D" + OPENBLAS_PATH_PROPERTY
                    + "); looked in " + OPENBLAS_CANDIDATES);
        }
        String userCoreType = System.getenv("OPENBLAS_CORETYPE");
        String coreType = userCoreType != null ? null : OpenBlasCoreType.forFlags(OpenBlasCoreType.cpuFlags());
        String error = open(library, coreType);
        if (error != null) {
            return failed("OpenBLAS " + library + " did not load: " + error);
        }
        String source = userCoreType != null ? "OPENBLAS_CORETYPE=" + userCoreType + " from the environment"
                : coreType != null ? "OPENBLAS_CORETYPE=" + coreType + " from /proc/cpuinfo flags"
                : "OpenBLAS's own CPU detection";
        return new State(null, library, source, config(), coreName());
    }

    /** The first candidate location that holds a file, or null. */
    private static String firstExisting(List<String> candidates) {
        for (String candidate : candidates) {
            if (Files.isRegularFile(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private static State failed(String reason) {
        return new State(reason, null, null, null, null);
    }

    /** Returns null on success, else what failed. Sets OPENBLAS_CORETYPE first unless coreType is null. */
    private static native String open(String path, String coreType);

    private static native String config();

    private static native String coreName();

    static native void setThreads(int threads);

    static native void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc);

    static native void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
                             float[] x, int xOff, float beta, float[] y, int yOff);

    static native void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    static native float sdot(int n, float[] x, int xOff, float[] y, int yOff);
}
