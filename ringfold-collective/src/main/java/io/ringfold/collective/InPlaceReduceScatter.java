package io.ringfold.collective;

import java.nio.LongBuffer;

/**
 * A reduce-scatter SUM of int64 blocks without the copies, for communicators whose ranks share memory
 * (processes: {@link SharedMemoryCommunicator}; threads: {@link InProcessGroup}'s): each rank writes its
 * contribution to every other rank's block straight into shared memory, where that rank reads it while it
 * computes its own block. The call is the same collective as {@link Communicator#reduceScatter(long[], int,
 * int, ReduceOp)} with SUM (signature check, deadline and failure reports); only where the bytes are
 * written differs.
 *
 * <p>Every rank must make the in-place call. Over a shared segment a rank making the plain call with the
 * same block meets it and gets the same result; in one JVM that is reported as a mismatch (the in-place
 * call reads slots, the plain one arrays).
 *
 * <p>The callbacks are the caller's work, done inside the call only to reach shared memory directly: their
 * time is not counted in {@link Communicator#nanosInCollectives()}.
 */
public interface InPlaceReduceScatter {

    /** Writes this rank's contribution to {@code peer}'s block: {@code block} longs into {@code dst} from {@code index}. */
    interface Contribution {
        void write(int peer, LongBuffer dst, int index);
    }

    /**
     * Computes this rank's block, given every other rank's contribution to it: {@code from[q]} from
     * {@code index[q]} for each rank q other than this one ({@code from[rank]} is null). The buffers are
     * valid only during the call.
     */
    interface Reduction {
        void reduce(LongBuffer[] from, int[] index);
    }

    /**
     * The reduce-scatter of {@code block} longs per rank, in place; false (and nothing done, no collective
     * begun) when the block does not fit the shared memory (a segment's unit, a slot), and the caller must
     * use the plain reduce-scatter. Every rank gets the same answer for the same block.
     */
    boolean reduceScatterInPlace(int block, Contribution contribution, Reduction reduction);
}
