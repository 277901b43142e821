package io.ringfold.tensor;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Floats copied into a direct buffer with streaming (non-temporal) stores, for a shared-memory segment
 * that another process reads next: a plain store first takes its cache line from the core that last read
 * it, and those transfers ran 4-10x slower in some periods on the VMs we measure on
 * (src/main/native/streaming_store.h, bench/RESULTS.md). Natively where the JNI shim loads (streaming
 * where the CPU has AVX2, a plain copy otherwise); a plain bulk put without the shim and for heap buffers.
 * The values are the same either way, bit for bit.
 */
public final class StreamingStore {

    private static final boolean NATIVE = NativeShim.loaded();

    private StreamingStore() {
    }

    /** Whether {@link #copy} into a direct buffer runs natively (the shim is loaded), for tests and reports. */
    public static boolean nativeLoaded() {
        return NATIVE;
    }

    /**
     * {@code dst[index + i] = src[from + i]} for i in [0, length): with streaming stores into a direct buffer
     * in native order (ordered before anything this thread stores afterwards), with a plain put otherwise.
     */
    public static void copy(float[] src, int from, FloatBuffer dst, int index, int length) {
        if (length < 0 || from < 0 || from > src.length - length) {
            throw new IllegalArgumentException("src: " + length + " floats at " + from + " (expected: within "
                    + src.length + ")");
        }
        if (index < 0 || index > dst.limit() - length) {
            throw new IllegalArgumentException("dst: " + length + " floats at " + index + " (expected: within "
                    + dst.limit() + ")");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst: read-only (expected: a writable buffer)");
        }
        if (NATIVE && dst.isDirect() && dst.order() == ByteOrder.nativeOrder()) {
            copyNative(src, from, dst, index, length);
        } else {
            dst.put(index, src, from, length);
        }
    }

    private static native void copyNative(float[] src, int from, FloatBuffer dst, int index, int length);
}
