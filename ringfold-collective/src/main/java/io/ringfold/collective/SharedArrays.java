package io.ringfold.collective;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * The caller's array (one per element type) as the shared-memory algorithms see it: element ranges are
 * copied into this rank's slot, out of a peer's slot, or reduced over every rank's values. One instance
 * per type lives in the communicator and is re-pointed at each call's array; the scratch arrays grow to
 * the largest slice seen and are then reused, so calls allocate nothing once warm.
 */
abstract class SharedArrays {

    final SharedSegment seg;
    final int rank;
    int off;

    SharedArrays(SharedSegment seg, int rank) {
        this.seg = seg;
        this.rank = rank;
    }

    /** Elements {@code [from, from + len)} of the call into this rank's half of {@code unit}, at {@code at}. */
    abstract void put(long unit, int at, int from, int len);

    /** {@code len} elements at {@code at} of {@code peer}'s half of {@code unit} into elements {@code [to, to + len)}. */
    abstract void get(int peer, long unit, int at, int to, int len);

    /**
     * Elements {@code [to, to + len)} of the call become the reduction over all ranks of their {@code len}
     * values at {@code at} in their halves of {@code unit} (this rank's own values are read from the array
     * itself, which holds the same bits). Ranks are taken in order 0..n-1, so floating-point results
     * are the same on every rank and equal to the in-process group's.
     */
    abstract void reduce(long unit, int at, int to, int len, ReduceOp op);

    static final class Floats extends SharedArrays {
        float[] a;
        private float[] acc = new float[0];
        private float[] tmp = new float[0];

        Floats(SharedSegment seg, int rank) {
            super(seg, rank);
        }

        @Override
        void put(long unit, int at, int from, int len) {
            seg.floats[SharedSegment.slot(rank, unit)].put(at, a, off + from, len);
        }

        @Override
        void get(int peer, long unit, int at, int to, int len) {
            seg.floats[SharedSegment.slot(peer, unit)].get(at, a, off + to, len);
        }

        @Override
        void reduce(long unit, int at, int to, int len, ReduceOp op) {
            if (acc.length < len) {
                acc = new float[len];
                tmp = new float[len];
            }
            float[] x = acc;
            float[] v = tmp;
            int n = seg.ranks;
            load(x, 0, unit, at, to, len);
            for (int q = 1; q < n; q++) {
                load(v, q, unit, at, to, len);
                if (op == ReduceOp.MAX) {
                    for (int i = 0; i < len; i++) {
                        x[i] = Math.max(x[i], v[i]);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        x[i] += v[i];
                    }
                }
            }
            if (op == ReduceOp.MEAN) {
                for (int i = 0; i < len; i++) {
                    x[i] /= n;
                }
            }
            System.arraycopy(x, 0, a, off + to, len);
        }

        private void load(float[] into, int q, long unit, int at, int to, int len) {
            if (q == rank) {
                System.arraycopy(a, off + to, into, 0, len);
            } else {
                FloatBuffer b = seg.floats[SharedSegment.slot(q, unit)];
                b.get(at, into, 0, len);
            }
        }
    }

    static final class Doubles extends SharedArrays {
        double[] a;
        private double[] acc = new double[0];
        private double[] tmp = new double[0];

        Doubles(SharedSegment seg, int rank) {
            super(seg, rank);
        }

        @Override
        void put(long unit, int at, int from, int len) {
            seg.doubles[SharedSegment.slot(rank, unit)].put(at, a, off + from, len);
        }

        @Override
        void get(int peer, long unit, int at, int to, int len) {
            seg.doubles[SharedSegment.slot(peer, unit)].get(at, a, off + to, len);
        }

        @Override
        void reduce(long unit, int at, int to, int len, ReduceOp op) {
            if (acc.length < len) {
                acc = new double[len];
                tmp = new double[len];
            }
            double[] x = acc;
            double[] v = tmp;
            int n = seg.ranks;
            load(x, 0, unit, at, to, len);
            for (int q = 1; q < n; q++) {
                load(v, q, unit, at, to, len);
                if (op == ReduceOp.MAX) {
                    for (int i = 0; i < len; i++) {
                        x[i] = Math.max(x[i], v[i]);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        x[i] += v[i];
                    }
                }
            }
            if (op == ReduceOp.MEAN) {
                for (int i = 0; i < len; i++) {
                    x[i] /= n;
                }
            }
            System.arraycopy(x, 0, a, off + to, len);
        }

        private void load(double[] into, int q, long unit, int at, int to, int len) {
            if (q == rank) {
                System.arraycopy(a, off + to, into, 0, len);
            } else {
                DoubleBuffer b = seg.doubles[SharedSegment.slot(q, unit)];
                b.get(at, into, 0, len);
            }
        }
    }

    static final class Longs extends SharedArrays {
        long[] a;
        private long[] tmp = new long[0];

        Longs(SharedSegment seg, int rank) {
            super(seg, rank);
        }

        @Override
        void put(long unit, int at, int from, int len) {
            seg.longs[SharedSegment.slot(rank, unit)].put(at, a, off + from, len);
        }

        @Override
        void get(int peer, long unit, int at, int to, int len) {
            seg.longs[SharedSegment.slot(peer, unit)].get(at, a, off + to, len);
        }

        @Override
        void reduce(long unit, int at, int to, int len, ReduceOp op) {
            if (tmp.length < len) {
                tmp = new long[len];
            }
            long[] x = a;
            long[] v = tmp;
            int base = off + to;
            // Two's-complement addition and MAX are exact in any order: add the others straight into the array.
            for (int q = 0; q < seg.ranks; q++) {
                if (q == rank) {
                    continue;
                }
                LongBuffer b = seg.longs[SharedSegment.slot(q, unit)];
                b.get(at, v, 0, len);
                if (op == ReduceOp.MAX) {
                    for (int i = 0; i < len; i++) {
                        x[base + i] = Math.max(x[base + i], v[i]);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        x[base + i] += v[i];
                    }
                }
            }
        }
    }

    /** Bytes are only copied (broadcast), never reduced. */
    static final class Bytes extends SharedArrays {
        byte[] a;

        Bytes(SharedSegment seg, int rank) {
            super(seg, rank);
        }

        @Override
        void put(long unit, int at, int from, int len) {
            seg.bytes[SharedSegment.slot(rank, unit)].put(at, a, off + from, len);
        }

        @Override
        void get(int peer, long unit, int at, int to, int len) {
            seg.bytes[SharedSegment.slot(peer, unit)].get(at, a, off + to, len);
        }

        @Override
        void reduce(long unit, int at, int to, int len, ReduceOp op) {
            throw new IllegalStateException("bytes are not reduced");
        }
    }
}
