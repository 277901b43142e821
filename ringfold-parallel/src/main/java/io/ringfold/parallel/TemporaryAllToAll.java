package io.ringfold.parallel;

import io.ringfold.collective.Communicator;

import java.nio.ByteBuffer;

/**
 * TEMPORARY BRIDGE, to be deleted when {@code Communicator.allToAll} lands (branch collective20): MPI's
 * {@code Alltoallv} built on {@link Communicator#allGather(byte[])}. {@code toEach[r]} goes to rank r; the
 * answer is indexed by sender. Every rank receives every rank's whole message (W times the data of a real
 * all-to-all), so it serves correctness, not the figures. Arrays that repeat the previous destination's (the
 * same reference) travel once.
 */
final class TemporaryAllToAll {

    private static final int SAME_AS_PREVIOUS = -1;

    private TemporaryAllToAll() {
    }

    static long[][] allToAll(Communicator comm, long[][] toEach) {
        int n = checked(comm, toEach.length);
        long bytes = 4L * n;
        for (int r = 0; r < n; r++) {
            bytes += r > 0 && toEach[r] == toEach[r - 1] ? 0 : 8L * toEach[r].length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(bytes));
        for (int r = 0; r < n; r++) {
            if (r > 0 && toEach[r] == toEach[r - 1]) {
                out.putInt(SAME_AS_PREVIOUS);
            } else {
                out.putInt(toEach[r].length);
                out.asLongBuffer().put(toEach[r]);
                out.position(out.position() + 8 * toEach[r].length);
            }
        }
        byte[][] all = comm.allGather(out.array());
        long[][] fromEach = new long[n][];
        for (int q = 0; q < n; q++) {
            ByteBuffer in = ByteBuffer.wrap(all[q]);
            int at = 0;
            int length = 0;
            for (int r = 0; r <= comm.rank(); r++) {
                int len = in.getInt();
                if (len != SAME_AS_PREVIOUS) {
                    at = in.position();
                    length = len;
                    in.position(at + 8 * len);
                }
            }
            fromEach[q] = new long[length];
            in.position(at);
            in.asLongBuffer().get(fromEach[q]);
        }
        return fromEach;
    }

    static float[][] allToAll(Communicator comm, float[][] toEach) {
        int n = checked(comm, toEach.length);
        long bytes = 4L * n;
        for (int r = 0; r < n; r++) {
            bytes += r > 0 && toEach[r] == toEach[r - 1] ? 0 : 4L * toEach[r].length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(bytes));
        for (int r = 0; r < n; r++) {
            if (r > 0 && toEach[r] == toEach[r - 1]) {
                out.putInt(SAME_AS_PREVIOUS);
            } else {
                out.putInt(toEach[r].length);
                out.asFloatBuffer().put(toEach[r]);
                out.position(out.position() + 4 * toEach[r].length);
            }
        }
        byte[][] all = comm.allGather(out.array());
        float[][] fromEach = new float[n][];
        for (int q = 0; q < n; q++) {
            ByteBuffer in = ByteBuffer.wrap(all[q]);
            int at = 0;
            int length = 0;
            for (int r = 0; r <= comm.rank(); r++) {
                int len = in.getInt();
                if (len != SAME_AS_PREVIOUS) {
                    at = in.position();
                    length = len;
                    in.position(at + 4 * len);
                }
            }
            fromEach[q] = new float[length];
            in.position(at);
            in.asFloatBuffer().get(fromEach[q]);
        }
        return fromEach;
    }

    private static int checked(Communicator comm, int length) {
        if (length != comm.size()) {
            throw new IllegalArgumentException("toEach: " + length + " arrays (expected: one per rank, " + comm.size()
                    + ")");
        }
        return length;
    }
}
