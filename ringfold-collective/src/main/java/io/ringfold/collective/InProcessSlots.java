package io.ringfold.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * One rank's two slots for the in-place collectives of an {@link InProcessGroup}: direct buffers in native
 * order (so the native fixed-point and streaming-store kernels write into them as into a shared-memory
 * segment), used alternately by call parity. Only their owner writes them, and only before it arrives at
 * the call's one synchronisation point; the others read them after it. The others find them here, by
 * call number, not through what the owner last published in the group: a fast owner may already have
 * published its next call's slot while a slow peer still reads this call's.
 *
 * <p>Why two slots and one synchronisation point suffice: call s writes slot s % 2. The next write of that
 * slot is call s + 2's, which its owner starts only after every rank has arrived at call s + 1, so has
 * finished reading call s. Every collective call of the group arrives at least once, so any call in
 * between keeps the order, in-place or not.
 *
 * <p>A slot grows (a new buffer) when a call needs more than it holds, so it is as large as the largest
 * call so far.
 */
final class InProcessSlots {

    /**
     * The largest slot. Two per rank live outside the heap (direct memory, limited by default to the heap's
     * maximum), so a larger call takes the plain path instead, through the caller's own arrays, as a block
     * too large for a shared segment's unit does. 64 MiB holds a reduce-scatter of 8M int64 values: with two
     * ranks, slices of 4M parameters.
     */
    static final long MAX_BYTES = 64L << 20;

    private final LongBuffer[] longs = new LongBuffer[2];
    private final FloatBuffer[] floats = new FloatBuffer[2];

    /** For the owner, before it arrives: the int64 view of call {@code seq}'s slot, holding at least {@code count} longs. */
    LongBuffer longsToWrite(long seq, long count) {
        int k = (int) (seq & 1);
        ensure(k, 8 * count);
        return longs[k];
    }

    /** For the owner, before it arrives: the float32 view of call {@code seq}'s slot, holding at least {@code count} floats. */
    FloatBuffer floatsToWrite(long seq, long count) {
        int k = (int) (seq & 1);
        ensure(k, 4 * count);
        return floats[k];
    }

    /** For the others, after call {@code seq}'s synchronisation point: the int64 view its owner wrote. */
    LongBuffer longsWritten(long seq) {
        return longs[(int) (seq & 1)];
    }

    /** For the others, after call {@code seq}'s synchronisation point: the float32 view its owner wrote. */
    FloatBuffer floatsWritten(long seq) {
        return floats[(int) (seq & 1)];
    }

    private void ensure(int k, long byteCount) {
        if (longs[k] != null && 8L * longs[k].capacity() >= byteCount) {
            return;
        }
        if (byteCount > MAX_BYTES) {
            throw new IllegalArgumentException("in-place slot: " + byteCount + " bytes (expected: at most " + MAX_BYTES + ")");
        }
        // 64-byte aligned, as the segment's slots are, so streaming stores write whole cache lines. Aligning
        // takes up to 63 bytes off each end: allocate a multiple of 64 and one line more.
        int lines = (int) ((byteCount + 63) / 64);
        ByteBuffer b = ByteBuffer.allocateDirect(64 * (lines + 1)).alignedSlice(64).order(ByteOrder.nativeOrder());
        longs[k] = b.asLongBuffer();
        floats[k] = b.asFloatBuffer();
    }
}
