package io.ringfold.tensor;

/**
 * The exact data-parallel trainer's inner kernels: float gradients scaled by a power of two, truncated
 * toward zero to int64 and summed, {@code out[at + i - from] = sum over s < count of (long) (grads[s][i] *
 * scale)} for i in [from, to) ({@link #sum}); and back to floats ({@link #scale}). Integer sums are exact
 * in any order, which is what makes the trained parameters independent of the worker count.
 *
 * <p>The JNI shim does it with AVX2 where the CPU has it (3-4x the Java loop, which JDK 17 does not
 * vectorize: C2 has no vector form of the float-to-long cast); the Java loop runs otherwise. Both give
 * the same bits, provided every {@code |grads[s][i] * scale| < 2^51} ({@link #LIMIT}): the native path
 * reads the truncated integer out of a double's mantissa, which holds 52 bits. Callers choose the scale
 * so (see the parallel module's FixedPointGradient); beyond it the result is unspecified.
 */
public final class FixedPointSum {

    /** Every scaled value must be smaller than this in magnitude. */
    public static final double LIMIT = 0x1p51;
    /** The most gradients one native call takes (fixed_point.c's MAX_SHARDS); more run in Java. */
    static final int NATIVE_MAX_COUNT = 256;
    /** Elements per tile: 16 KiB of int64 sums, which stay in the L1 cache while every gradient adds in. */
    private static final int TILE = 2048;

    /** {@code -Dringfold.fixedpoint.java=true}: the Java loops even where the shim loads. */
    private static final boolean FORCED_JAVA = Boolean.getBoolean("ringfold.fixedpoint.java");
    private static final boolean NATIVE = !FORCED_JAVA && NativeShim.loaded();

    private FixedPointSum() {
    }

    /** "native" or "java (REASON)": which path {@link #sum} takes in this JVM. */
    public static String implementation() {
        if (NATIVE) {
            return "native";
        }
        return "java (" + (FORCED_JAVA ? "-Dringfold.fixedpoint.java=true" : NativeShim.failure()) + ")";
    }

    /** See the class comment; {@code count == 0} writes zeros. */
    public static void sum(float[][] grads, int count, int from, int to, double scale, long[] out, int at) {
        check(grads, count, from, to, out, at);
        if (count == 0) {
            java.util.Arrays.fill(out, at, at + (to - from), 0L);
        } else if (NATIVE && count <= NATIVE_MAX_COUNT) {
            sumNative(grads, count, from, to, scale, out, at);
        } else {
            javaLoop(grads, count, from, to, scale, out, at);
        }
    }

    /**
     * {@link #sum} into a direct buffer of int64 in native order (a shared-memory segment), elements
     * {@code [index, index + to - from)}: a process writes its contribution to a peer's block where the
     * peer reads it, with no copy in between. With {@code streaming}, natively, with streaming stores, which
     * do not take the lines from the peer's core first ({@link StreamingStore} says when that pays); they are
     * ordered before anything this thread stores afterwards. The values are the same either way.
     */
    public static void sum(float[][] grads, int count, int from, int to, double scale, java.nio.LongBuffer out, int index,
                           boolean streaming) {
        checkGrads(grads, count, from, to);
        checkBuffer(out, index, to - from, "out");
        if (count == 0) {
            for (int i = 0; i < to - from; i++) {
                out.put(index + i, 0L);
            }
        } else if (NATIVE && count <= NATIVE_MAX_COUNT && out.isDirect()) {
            sumToBufferNative(grads, count, from, to, scale, out, index, streaming);
        } else {
            for (int i = from; i < to; i++) {
                long v = 0;
                for (int g = 0; g < count; g++) {
                    v += (long) (grads[g][i] * scale);
                }
                out.put(index + i - from, v);
            }
        }
    }

    /**
     * {@link #sum} plus the int64 values of {@code addend} from {@code index} on (a peer's contribution in a
     * shared-memory segment, read in place): {@code out[at + i - from] = addend[index + i - from] + sum over s}.
     */
    public static void sumPlus(float[][] grads, int count, int from, int to, double scale, long[] out, int at,
                               java.nio.LongBuffer addend, int index) {
        check(grads, count, from, to, out, at);
        checkBuffer(addend, index, to - from, "addend");
        if (count > 0 && NATIVE && count <= NATIVE_MAX_COUNT && addend.isDirect()) {
            sumPlusNative(grads, count, from, to, scale, out, at, addend, index);
            return;
        }
        if (count == 0) {
            java.util.Arrays.fill(out, at, at + (to - from), 0L);
        } else {
            javaLoop(grads, count, from, to, scale, out, at);
        }
        for (int i = 0; i < to - from; i++) {
            out[at + i] += addend.get(index + i);
        }
    }

    private static void checkBuffer(java.nio.LongBuffer b, int index, int length, String what) {
        if (b.order() != java.nio.ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(what + ": " + b.order() + " (expected: the native byte order)");
        }
        if (index < 0 || index > b.limit() - length) {
            throw new IllegalArgumentException(what + ": " + length + " longs at " + index + " (expected: within "
                    + b.limit() + ")");
        }
    }

    /** The Java loop, whatever the shim: for tests that compare the two paths. */
    static void sumJava(float[][] grads, int count, int from, int to, double scale, long[] out, int at) {
        check(grads, count, from, to, out, at);
        if (count > 0) {
            javaLoop(grads, count, from, to, scale, out, at);
        }
    }

    private static void javaLoop(float[][] grads, int count, int from, int to, double scale, long[] out, int at) {
        // Tiled, so that the sums are read and written in cache while the gradients stream through.
        int shift = at - from;
        for (int t = from; t < to; t += TILE) {
            int end = Math.min(to, t + TILE);
            float[] g0 = grads[0];
            for (int i = t; i < end; i++) {
                out[shift + i] = (long) (g0[i] * scale);
            }
            for (int s = 1; s < count; s++) {
                float[] g = grads[s];
                for (int i = t; i < end; i++) {
                    out[shift + i] += (long) (g[i] * scale);
                }
            }
        }
    }

    static boolean nativeLoaded() {
        return NATIVE;
    }

    // The native code trusts these bounds: a bad index there would corrupt the heap, not throw.
    private static void check(float[][] grads, int count, int from, int to, long[] out, int at) {
        checkGrads(grads, count, from, to);
        if (at < 0 || at > out.length - (to - from)) {
            throw new IllegalArgumentException("out: " + (to - from) + " sums at " + at + " (expected: within "
                    + out.length + " elements)");
        }
    }

    private static void checkGrads(float[][] grads, int count, int from, int to) {
        if (count < 0 || count > grads.length) {
            throw new IllegalArgumentException("count: " + count + " (expected: 0.." + grads.length + ")");
        }
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("range: [" + from + ", " + to + ") (expected: 0 <= from <= to)");
        }
        for (int s = 0; s < count; s++) {
            if (grads[s] == null || grads[s].length < to) {
                throw new IllegalArgumentException("grads[" + s + "]: " + (grads[s] == null ? "null" : grads[s].length
                        + " elements") + " (expected: at least " + to + ")");
            }
        }
    }

    /**
     * {@code out[i] = (float) ((double) sums[at + i - from] * scale)} for i in [from, to): Java's two
     * roundings, natively where the shim is loaded (the same bits for any int64; see fixed_point.c).
     */
    public static void scale(long[] sums, int at, double scale, float[] out, int from, int to) {
        checkScale(sums, at, out, from, to);
        if (NATIVE) {
            scaleNative(sums, at, scale, out, from, to);
        } else {
            scaleLoop(sums, at, scale, out, from, to);
        }
    }

    /** The Java loop of {@link #scale}, whatever the shim: for tests that compare the two paths. */
    static void scaleJava(long[] sums, int at, double scale, float[] out, int from, int to) {
        checkScale(sums, at, out, from, to);
        scaleLoop(sums, at, scale, out, from, to);
    }

    private static void scaleLoop(long[] sums, int at, double scale, float[] out, int from, int to) {
        int shift = at - from;
        for (int i = from; i < to; i++) {
            out[i] = (float) ((double) sums[shift + i] * scale);
        }
    }

    private static void checkScale(long[] sums, int at, float[] out, int from, int to) {
        if (from < 0 || to < from || to > out.length) {
            throw new IllegalArgumentException("range: [" + from + ", " + to + ") (expected: within "
                    + out.length + " outputs)");
        }
        if (at < 0 || at > sums.length - (to - from)) {
            throw new IllegalArgumentException("sums: " + (to - from) + " at " + at + " (expected: within "
                    + sums.length + " elements)");
        }
    }

    private static native void scaleNative(long[] sums, int at, double scale, float[] out, int from, int to);

    private static native void sumNative(Object[] grads, int count, int from, int to, double scale, long[] out, int at);

    private static native void sumToBufferNative(Object[] grads, int count, int from, int to, double scale,
                                                 java.nio.LongBuffer out, int index, boolean streaming);

    private static native void sumPlusNative(Object[] grads, int count, int from, int to, double scale, long[] out,
                                             int at, java.nio.LongBuffer addend, int index);
}
