package io.ringfold.collective;

/**
 * The caller's array (one per element type) as the TCP algorithms see it: element ranges are copied
 * into an outgoing frame, out of an incoming one, or reduced with it. One instance per type lives in
 * the communicator and is re-pointed at each call's array, so calls allocate nothing.
 */
abstract class ArrayView {

    ReduceOp op = ReduceOp.SUM;

    abstract int elementBytes();

    /** Points the view at {@code array} (of this view's element type) from element {@code offset}. */
    abstract void point(Object array, int offset);

    /** Elements [lo, hi) of the call into {@code l}'s outgoing payload. */
    abstract void encode(TcpLink l, int lo, int hi);

    /** {@code l}'s incoming payload into elements [lo, hi). */
    abstract void copy(TcpLink l, int lo, int hi);

    /** Elements [lo, hi) combined with {@code l}'s incoming payload: mine op theirs. */
    abstract void reduce(TcpLink l, int lo, int hi);

    /** Elements [lo, hi) divided by {@code n}, the last step of a mean. */
    abstract void divide(int lo, int hi, int n);

    static final class Floats extends ArrayView {
        float[] a;
        int off;
        final float[] scratch;

        Floats(int capacity) {
            scratch = new float[capacity];
        }

        @Override
        int elementBytes() {
            return 4;
        }

        @Override
        void point(Object array, int offset) {
            a = (float[]) array;
            off = offset;
        }

        @Override
        void encode(TcpLink l, int lo, int hi) {
            l.outF.clear();
            l.outF.put(a, off + lo, hi - lo);
        }

        @Override
        void copy(TcpLink l, int lo, int hi) {
            l.inF.clear();
            l.inF.get(a, off + lo, hi - lo);
        }

        @Override
        void reduce(TcpLink l, int lo, int hi) {
            int m = hi - lo;
            l.inF.clear();
            l.inF.get(scratch, 0, m);
            float[] x = a;
            float[] s = scratch;
            int base = off + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < m; i++) {
                    x[base + i] = Math.max(x[base + i], s[i]);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    x[base + i] += s[i];
                }
            }
        }

        @Override
        void divide(int lo, int hi, int n) {
            float[] x = a;
            for (int i = off + lo, end = off + hi; i < end; i++) {
                x[i] = x[i] / n;
            }
        }
    }

    static final class Doubles extends ArrayView {
        double[] a;
        int off;
        final double[] scratch;

        Doubles(int capacity) {
            scratch = new double[capacity];
        }

        @Override
        int elementBytes() {
            return 8;
        }

        @Override
        void point(Object array, int offset) {
            a = (double[]) array;
            off = offset;
        }

        @Override
        void encode(TcpLink l, int lo, int hi) {
            l.outD.clear();
            l.outD.put(a, off + lo, hi - lo);
        }

        @Override
        void copy(TcpLink l, int lo, int hi) {
            l.inD.clear();
            l.inD.get(a, off + lo, hi - lo);
        }

        @Override
        void reduce(TcpLink l, int lo, int hi) {
            int m = hi - lo;
            l.inD.clear();
            l.inD.get(scratch, 0, m);
            double[] x = a;
            double[] s = scratch;
            int base = off + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < m; i++) {
                    x[base + i] = Math.max(x[base + i], s[i]);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    x[base + i] += s[i];
                }
            }
        }

        @Override
        void divide(int lo, int hi, int n) {
            double[] x = a;
            for (int i = off + lo, end = off + hi; i < end; i++) {
                x[i] = x[i] / n;
            }
        }
    }

    static final class Longs extends ArrayView {
        long[] a;
        int off;
        final long[] scratch;

        Longs(int capacity) {
            scratch = new long[capacity];
        }

        @Override
        int elementBytes() {
            return 8;
        }

        @Override
        void point(Object array, int offset) {
            a = (long[]) array;
            off = offset;
        }

        @Override
        void encode(TcpLink l, int lo, int hi) {
            l.outL.clear();
            l.outL.put(a, off + lo, hi - lo);
        }

        @Override
        void copy(TcpLink l, int lo, int hi) {
            l.inL.clear();
            l.inL.get(a, off + lo, hi - lo);
        }

        @Override
        void reduce(TcpLink l, int lo, int hi) {
            int m = hi - lo;
            l.inL.clear();
            l.inL.get(scratch, 0, m);
            long[] x = a;
            long[] s = scratch;
            int base = off + lo;
            if (op == ReduceOp.MAX) {
                for (int i = 0; i < m; i++) {
                    x[base + i] = Math.max(x[base + i], s[i]);
                }
            } else {
                // Two's-complement addition is associative: the sum is exact (modulo 2^64) in any order.
                for (int i = 0; i < m; i++) {
                    x[base + i] += s[i];
                }
            }
        }

        @Override
        void divide(int lo, int hi, int n) {
            throw new IllegalStateException("int64 mean is refused at the API");
        }
    }

    /** Bytes are only copied (broadcast, all-gather), never reduced. */
    static final class Bytes extends ArrayView {
        byte[] a;
        int off;

        @Override
        int elementBytes() {
            return 1;
        }

        @Override
        void point(Object array, int offset) {
            a = (byte[]) array;
            off = offset;
        }

        @Override
        void encode(TcpLink l, int lo, int hi) {
            l.outPayload.clear();
            l.outPayload.put(a, off + lo, hi - lo);
        }

        @Override
        void copy(TcpLink l, int lo, int hi) {
            l.inPayload.clear();
            l.inPayload.get(a, off + lo, hi - lo);
        }

        @Override
        void reduce(TcpLink l, int lo, int hi) {
            throw new IllegalStateException("bytes are not reduced");
        }

        @Override
        void divide(int lo, int hi, int n) {
            throw new IllegalStateException("bytes are not reduced");
        }
    }
}
