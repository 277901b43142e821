package io.ringfold.collective;

import java.nio.FloatBuffer;

/**
 * An all-gather of float32 blocks without the copies, for communicators whose ranks share memory
 * (processes: {@link SharedMemoryCommunicator}; threads: {@link InProcessGroup}'s): each rank writes its
 * block straight into shared memory, and reads every other rank's block where it lies, into wherever it
 * wants it. The call is the same collective as {@link Communicator#allGather(float[], int, int)}
 * (signature check, deadline and failure reports); only where the bytes are written and read differs.
 * Every rank must make the in-place call, as for {@link InPlaceReduceScatter}. The callbacks' time, as
 * there, is the caller's and not counted in {@link Communicator#nanosInCollectives()}.
 */
public interface InPlaceAllGather {

    /** Writes this rank's block: {@code block} floats (or fewer, when the rest is not read) into {@code dst} from {@code index}. */
    interface Block {
        void write(FloatBuffer dst, int index);
    }

    /**
     * Reads every other rank's block: {@code from[q]} from {@code index[q]} for each rank q other than this
     * one ({@code from[rank]} is null). The buffers are valid only during the call.
     */
    interface Blocks {
        void read(FloatBuffer[] from, int[] index);
    }

    /**
     * The all-gather of {@code block} floats per rank, in place; false (and nothing done, no collective
     * begun) when the block does not fit the shared memory (a segment's unit, a slot), and the caller must
     * use the plain all-gather. Every rank gets the same answer for the same block. With one rank, neither
     * callback runs.
     */
    boolean allGatherInPlace(int block, Block mine, Blocks others);
}
