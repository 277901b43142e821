package io.ringfold.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The JNI shim (src/main/native/ringfold_blas.c) and the OpenBLAS it opens, loaded at most once per
 * JVM. Each step checks that what it needs exists (platform, shim resource, OpenBLAS file) and records
 * why it stopped, so that selection can say why native BLAS is not used. The natives take unchecked
 * offsets: callers validate with {@link BlasArguments} first.
 */
final class OpenBlasBindings {

    static final String OPENBLAS_PATH_PROPERTY = "ringfold.openblas.path";
    static final String SHIM_RESOURCE = "native/linux-x86_64/libringfold_blas.so";
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
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return failed("the JNI shim is built for linux-x86_64 only (this JVM runs on " + os + "/" + arch + ")");
        }
        URL shim = OpenBlasBindings.class.getResource(SHIM_RESOURCE);
        if (shim == null) {
            return failed("JNI shim io/ringfold/tensor/" + SHIM_RESOURCE + " is not on the class path"
                    + " (ringfold-tensor was built without gcc)");
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
        Path extracted = extract(shim);
        try {
            System.load(extracted.toString());
        } catch (UnsatisfiedLinkError e) {
            // No way to ask in advance whether the dynamic linker accepts a library: this is the check.
            return failed("JNI shim " + extracted + " did not load: " + e.getMessage());
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

    private static Path extract(URL shim) {
        try (InputStream in = shim.openStream()) {
            Path file = Files.createTempFile("ringfold_blas", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting the JNI shim " + shim + " to a temporary file", e);
        }
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
