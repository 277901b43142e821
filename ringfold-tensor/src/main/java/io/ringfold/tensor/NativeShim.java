package io.ringfold.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The JNI shim (src/main/native/*.c), extracted from the class path and loaded at most once per JVM. Its
 * natives belong to {@link OpenBlasBindings} (usable only once OpenBLAS is opened too) and to
 * {@link FixedPointSum} and {@link StreamingStore} (need nothing more). {@link #failure()} says why it did not load.
 */
final class NativeShim {

    static final String RESOURCE = "native/linux-x86_64/libringfold_blas.so";

    private static String failure;
    private static boolean tried;

    private NativeShim() {
    }

    /** Null once the shim is loaded, else why it cannot be: the platform, a missing resource, the linker. */
    static synchronized String failure() {
        if (!tried) {
            tried = true;
            failure = load();
        }
        return failure;
    }

    static boolean loaded() {
        return failure() == null;
    }

    private static String load() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the JNI shim is built for linux-x86_64 only (this JVM runs on " + os + "/" + arch + ")";
        }
        URL shim = NativeShim.class.getResource(RESOURCE);
        if (shim == null) {
            return "JNI shim io/ringfold/tensor/" + RESOURCE + " is not on the class path"
                    + " (ringfold-tensor was built without gcc)";
        }
        Path extracted = extract(shim);
        try {
            System.load(extracted.toString());
        } catch (UnsatisfiedLinkError e) {
            // No way to ask in advance whether the dynamic linker accepts a library: this is the check.
            return "JNI shim " + extracted + " did not load: " + e.getMessage();
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
}
