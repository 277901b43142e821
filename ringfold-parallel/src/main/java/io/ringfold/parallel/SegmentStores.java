package io.ringfold.parallel;

/**
 * Plain or streaming stores for one kind of write into shared memory (a worker's contribution to its
 * peers' blocks, its slice of the updated parameters; a segment between processes, or the slots of
 * worker threads), chosen by measuring both as training goes.
 *
 * <p>Why both: a plain store takes its cache line from the core that last read it, and on the 2-core VMs
 * we measure on those transfers ran 4-10x slower in some periods (bench/RESULTS.md); streaming stores do
 * not depend on that, but leave the peer to read the data from memory instead of from this core's cache,
 * which costs ~10% of a step when plain stores are fast (the tensor module's StreamingStore and
 * streaming_store.h). Neither is best all the time, and a period can begin or end mid-run.
 *
 * <p>The rule: for each kind of store, the fastest of its last {@link #RECENT} writes (a minimum, because
 * what disturbs one write, a preemption or a cold cache at the start, only makes it slower; a slow period
 * lasts for thousands of writes); plain stores while theirs is below {@link #SLOW_FACTOR} times the
 * streaming one, and every {@link #PROBE_EVERY}-th write of the other kind, to keep its figure current.
 * The first write is plain, the second streaming. Only the speed depends on the choice: the values
 * written are the same.
 *
 * <p>{@code -Dringfold.segment.stores=plain} or {@code =streaming} fixes the choice (for comparisons; the
 * default is {@code auto}, the rule above).
 */
final class SegmentStores {

    /** How much slower than streaming the plain writes may get before streaming takes over. */
    static final double SLOW_FACTOR = 2.0;
    /** One write in this many uses the kind not preferred, so that a change of period is seen. */
    static final int PROBE_EVERY = 64;
    /** Writes per kind of store over which the fastest is taken. */
    static final int RECENT = 8;

    /** The fixed choice from {@code -Dringfold.segment.stores}, or null for the measured one. */
    private final Boolean fixed = fixed(System.getProperty("ringfold.segment.stores", "auto"));
    private final long[] plainNanos = new long[RECENT];
    private final long[] streamingNanos = new long[RECENT];
    private long plainCount;
    private long streamingCount;
    private long writes;
    private long streamed;

    /** Whether the next write should stream; report its time with {@link #record}. */
    boolean next() {
        writes++;
        if (fixed != null) {
            return fixed;
        }
        if (plainCount == 0) {
            return false;
        }
        if (streamingCount == 0) {
            return true;
        }
        boolean preferStreaming = fastest(plainNanos, plainCount) > SLOW_FACTOR * fastest(streamingNanos, streamingCount);
        return writes % PROBE_EVERY == 0 ? !preferStreaming : preferStreaming;
    }

    /** The time of a write made as {@link #next} said. */
    void record(boolean streaming, long nanos) {
        if (streaming) {
            streamed++;
            streamingNanos[(int) (streamingCount++ % RECENT)] = nanos;
        } else {
            plainNanos[(int) (plainCount++ % RECENT)] = nanos;
        }
    }

    private static long fastest(long[] recent, long count) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < Math.min(count, RECENT); i++) {
            min = Math.min(min, recent[i]);
        }
        return min;
    }

    static Boolean fixed(String setting) {
        return switch (setting) {
            case "auto" -> null;
            case "plain" -> Boolean.FALSE;
            case "streaming" -> Boolean.TRUE;
            default -> throw new IllegalArgumentException("ringfold.segment.stores: " + setting
                    + " (expected: auto, plain or streaming)");
        };
    }

    /** Writes so far that streamed. */
    long streamed() {
        return streamed;
    }

    /** Writes so far. */
    long writes() {
        return writes;
    }
}
