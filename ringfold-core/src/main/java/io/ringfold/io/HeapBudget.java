package io.ringfold.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The check that a load fits in the free heap before it starts. A refused file costs a message; a load
 * that runs out of heap costs an {@link OutOfMemoryError}, which a server run with
 * {@code -XX:+ExitOnOutOfMemoryError} (as the container image is) cannot survive.
 */
final class HeapBudget {

    private HeapBudget() {
    }

    /** Heap the JVM may still hand out: its maximum less what is in use (garbage included). */
    static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /**
     * Refuses {@code file} when {@code needBytes} exceed the free heap. Garbage not collected yet counts as
     * used, so before refusing it asks for one collection and looks again: loads are rare, and a refusal
     * stands until the file changes.
     */
    static void require(Path file, long needBytes, long tensorBytes, long headerBytes) throws ModelFileException {
        require(file, needBytes, tensorBytes, headerBytes, HeapBudget::freeHeap, System::gc);
    }

    static void require(Path file, long needBytes, long tensorBytes, long headerBytes, LongSupplier freeHeap,
                        Runnable collect) throws ModelFileException {
        if (needBytes <= freeHeap.getAsLong()) {
            return;
        }
        collect.run();
        long free = freeHeap.getAsLong();
        if (needBytes > free) {
            throw new ModelFileException(file, "loading needs about " + mib(needBytes) + " of heap ("
                    + ModelLimits.PARAMETER_COPIES + " copies of " + mib(tensorBytes) + " of tensor data and the parsed "
                    + mib(headerBytes) + " header), " + mib(free) + " free (expected: at most the free heap; give the"
                    + " JVM more heap, e.g. -Xmx or -XX:MaxRAMPercentage)");
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
