package io.ringfold.spark;

import java.lang.ref.SoftReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Float arrays for barrier tasks' owned rows, kept between fits in this JVM. A worker's rows are one
 * contiguous array (tens of MB for a real data set): in G1 a humongous object, allocated in the old
 * generation, and each such allocation per fit sets off a concurrent marking cycle whose threads share the
 * executor's cores with training. Repeated fits on the same data (a parameter grid, cross-validation, a
 * benchmark) get the same sizes, so a returned array serves the next fit. Held through soft references:
 * the collector may still take them when memory runs short. Arrays are handed out with stale contents;
 * the caller writes every element.
 */
final class RowBufferPool {

    /** Arrays kept per length: one per task of a stage on one executor is the common case. */
    static final int MAX_PER_LENGTH = 4;

    private static final ConcurrentHashMap<Integer, ConcurrentLinkedQueue<SoftReference<float[]>>> FREE =
            new ConcurrentHashMap<>();

    private RowBufferPool() {
    }

    /** An array of exactly {@code length} floats, reused when one is free, with unspecified contents. */
    static float[] take(int length) {
        ConcurrentLinkedQueue<SoftReference<float[]>> q = FREE.get(length);
        if (q != null) {
            for (SoftReference<float[]> ref = q.poll(); ref != null; ref = q.poll()) {
                float[] a = ref.get();
                if (a != null) {
                    return a;
                }
            }
        }
        return new float[length];
    }

    /** Returns {@code a} for a later {@link #take}; the caller must not use it afterwards. */
    static void give(float[] a) {
        ConcurrentLinkedQueue<SoftReference<float[]>> q = FREE.computeIfAbsent(a.length,
                k -> new ConcurrentLinkedQueue<>());
        if (q.size() < MAX_PER_LENGTH) {
            q.add(new SoftReference<>(a));
        }
    }
}
