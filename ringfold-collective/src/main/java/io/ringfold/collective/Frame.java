package io.ringfold.collective;

import java.nio.ByteBuffer;

/**
 * The 40-byte header in front of every message of a {@link TcpCommunicator}, little-endian:
 * magic (int), version (byte), operation (byte), element type (byte), reduce op (byte), sequence number
 * of the call (long), element count of the call (long), root (int), frame index within the call (int),
 * payload bytes (int), reserved (int). A receiver checks every field against the call it is making, so
 * a mismatched call or a corrupt stream is reported with both sides and never mixed into the result.
 */
final class Frame {

    static final int HEADER = 40;
    static final int MAGIC = 0x52464C44; // "RFLD"
    static final byte VERSION = 1;

    static final byte ALLREDUCE = 1;
    static final byte BROADCAST = 2;
    static final byte BARRIER = 3;
    static final byte ALLGATHER = 4;
    static final byte SEND = 5;
    /** A peer that failed tells the others why; the payload is its one-line message in UTF-8. */
    static final byte ABORT = 6;
    /** Reduce-scatter in equal blocks; the count is the whole buffer's (ranks x block). */
    static final byte REDUCE_SCATTER = 7;
    /** All-gather in equal blocks of a typed buffer; the count is the whole buffer's (ranks x block). */
    static final byte ALLGATHER_BLOCKS = 8;
    /**
     * The first part of an all-to-all: every rank's block lengths, as an int64 sum of an n x n matrix
     * (row = sender); the op byte holds the blocks' element type, the count n x n.
     */
    static final byte ALLTOALL_LENGTHS = 9;
    /** A block of an all-to-all; the count is that block's, as the lengths declared it. */
    static final byte ALLTOALL = 10;

    static final byte NONE = 0;
    static final byte FLOAT32 = 1;
    static final byte FLOAT64 = 2;
    static final byte INT64 = 3;
    static final byte BYTES = 4;

    static final int OFF_MAGIC = 0;
    static final int OFF_VERSION = 4;
    static final int OFF_OPCODE = 5;
    static final int OFF_DTYPE = 6;
    static final int OFF_OP = 7;
    static final int OFF_SEQ = 8;
    static final int OFF_COUNT = 16;
    static final int OFF_ROOT = 24;
    static final int OFF_INDEX = 28;
    static final int OFF_LENGTH = 32;

    private Frame() {
    }

    static void write(ByteBuffer b, byte opcode, byte dtype, byte op, long seq, long count, int root, int index,
            int length) {
        b.putInt(OFF_MAGIC, MAGIC);
        b.put(OFF_VERSION, VERSION);
        b.put(OFF_OPCODE, opcode);
        b.put(OFF_DTYPE, dtype);
        b.put(OFF_OP, op);
        b.putLong(OFF_SEQ, seq);
        b.putLong(OFF_COUNT, count);
        b.putInt(OFF_ROOT, root);
        b.putInt(OFF_INDEX, index);
        b.putInt(OFF_LENGTH, length);
        b.putInt(36, 0);
    }

    static String dtypeName(byte dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float32";
            case FLOAT64 -> "float64";
            case INT64 -> "int64";
            case BYTES -> "bytes";
            case NONE -> "none";
            default -> "type " + dtype;
        };
    }

    static String opName(byte op) {
        return op >= 0 && op < ReduceOp.values().length ? ReduceOp.values()[op].name().toLowerCase() : "op " + op;
    }

    /** A call as people read it, e.g. {@code allreduce #17 (float32 x 1000, sum)}. */
    static String describe(byte opcode, byte dtype, byte op, long seq, long count, int root) {
        String type = dtypeName(dtype) + " x " + count;
        return switch (opcode) {
            case ALLREDUCE -> "allreduce #" + seq + " (" + type + ", " + opName(op) + ")";
            case BROADCAST -> "broadcast #" + seq + " (" + type + ", root " + root + ")";
            case BARRIER -> "barrier #" + seq;
            case ALLGATHER -> "allgather #" + seq + " (" + (dtype == INT64 ? "lengths, " : "data, ") + type + ")";
            case REDUCE_SCATTER -> "reducescatter #" + seq + " (" + type + " in blocks, " + opName(op) + ")";
            case ALLGATHER_BLOCKS -> "allgather #" + seq + " (" + type + " in blocks)";
            case ALLTOALL_LENGTHS -> "alltoall #" + seq + " (block lengths of " + dtypeName(op) + ", " + type + ")";
            case ALLTOALL -> "alltoall #" + seq + " (a block of " + type + ")";
            case SEND -> "send #" + seq + " (" + type + ")";
            case ABORT -> "abort";
            default -> "operation " + opcode + " #" + seq;
        };
    }

    /** The call described by a received header. */
    static String describe(ByteBuffer b) {
        return describe(b.get(OFF_OPCODE), b.get(OFF_DTYPE), b.get(OFF_OP), b.getLong(OFF_SEQ),
                b.getLong(OFF_COUNT), b.getInt(OFF_ROOT));
    }
}
