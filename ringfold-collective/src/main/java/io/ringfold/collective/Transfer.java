package io.ringfold.collective;

/**
 * A sequence of frames sent on one link while a sequence is received on another (possibly the same),
 * driven by {@link TcpCommunicator}'s event loop. Frame {@code k} may be sent once {@code k + 1 - lag}
 * frames have been received: lag = chunks per segment for the ring (a chunk is forwarded one step after
 * it arrived), 0 for a chain that forwards what it receives, and "infinite" for independent exchanges.
 */
abstract class Transfer {

    static final long INDEPENDENT = Long.MAX_VALUE / 4;

    int sendFrames;
    int recvFrames;
    long lag = INDEPENDENT;
    /** Added to the frame index in headers, so that the steps of one call are told apart. */
    int frameBase;

    abstract int sendBytes(int k);

    abstract void encode(int k, TcpLink out);

    abstract int recvBytes(int k);

    abstract void decode(int k, TcpLink in);

    /**
     * The ring of Patarasuk and Yuan ("Bandwidth optimal all-reduce algorithms for clusters of
     * workstations", JPDC 2009): in step s rank r sends segment (r - s) mod n to its right neighbour and
     * receives segment (r - s - 1) mod n from its left one; steps 0..n-2 reduce (reduce-scatter), steps
     * n-1..2n-3 copy (all-gather). Each segment travels in chunks, so step s+1 of chunk c overlaps step s
     * of chunk c+1. An all-gather alone runs steps n..2n-2, where rank r starts by sending its own segment;
     * a reduce-scatter alone runs steps 1..n-1 (all reducing), after which rank r holds segment r.
     */
    static final class Ring extends Transfer {
        ArrayView view;
        int n;
        int rank;
        int[] bounds = new int[0];
        int chunkElems;
        int chunks;
        int firstStep;
        /** Steps below this one reduce what they receive; the later ones copy it. */
        int reduceUntil;
        boolean mean;

        /** Sets the segments: bounds[j]..bounds[j+1] is segment j; computes the chunks per segment. */
        void segments(int[] b, int chunkElements, int first, int steps, int reduceBelow) {
            bounds = b;
            chunkElems = chunkElements;
            int maxSeg = 0;
            for (int j = 0; j < n; j++) {
                maxSeg = Math.max(maxSeg, b[j + 1] - b[j]);
            }
            chunks = Math.max(1, (maxSeg + chunkElements - 1) / chunkElements);
            firstStep = first;
            reduceUntil = reduceBelow;
            sendFrames = steps * chunks;
            recvFrames = steps * chunks;
            lag = chunks;
            frameBase = 0;
        }

        private int lo(int seg, int c) {
            return Math.min(bounds[seg] + c * chunkElems, bounds[seg + 1]);
        }

        private int hi(int seg, int c) {
            return Math.min(bounds[seg] + (c + 1) * chunkElems, bounds[seg + 1]);
        }

        private int sendSeg(int k) {
            return Math.floorMod(rank - (firstStep + k / chunks), n);
        }

        private int recvSeg(int k) {
            return Math.floorMod(rank - (firstStep + k / chunks) - 1, n);
        }

        @Override
        int sendBytes(int k) {
            int seg = sendSeg(k);
            int c = k % chunks;
            return (hi(seg, c) - lo(seg, c)) * view.elementBytes();
        }

        @Override
        void encode(int k, TcpLink out) {
            int seg = sendSeg(k);
            int c = k % chunks;
            view.encode(out, lo(seg, c), hi(seg, c));
        }

        @Override
        int recvBytes(int k) {
            int seg = recvSeg(k);
            int c = k % chunks;
            return (hi(seg, c) - lo(seg, c)) * view.elementBytes();
        }

        @Override
        void decode(int k, TcpLink in) {
            int step = firstStep + k / chunks;
            int seg = recvSeg(k);
            int c = k % chunks;
            int lo = lo(seg, c);
            int hi = hi(seg, c);
            if (step < reduceUntil) {
                view.reduce(in, lo, hi);
                if (mean && step == n - 2) {
                    view.divide(lo, hi, n); // this chunk is now complete: the mean is final before it spreads
                }
            } else {
                view.copy(in, lo, hi);
            }
        }
    }

    /** Elements [0, length) in chunks, both ways; received chunks are reduced or copied. */
    static final class Whole extends Transfer {
        ArrayView view;
        int length;
        int chunkElems;
        boolean reduce;

        int frames() {
            return Math.max(1, (length + chunkElems - 1) / chunkElems);
        }

        private int bytes(int k) {
            return (Math.min(length, (k + 1) * chunkElems) - Math.min(length, k * chunkElems)) * view.elementBytes();
        }

        @Override
        int sendBytes(int k) {
            return bytes(k);
        }

        @Override
        void encode(int k, TcpLink out) {
            view.encode(out, Math.min(length, k * chunkElems), Math.min(length, (k + 1) * chunkElems));
        }

        @Override
        int recvBytes(int k) {
            return bytes(k);
        }

        @Override
        void decode(int k, TcpLink in) {
            int lo = Math.min(length, k * chunkElems);
            int hi = Math.min(length, (k + 1) * chunkElems);
            if (reduce) {
                view.reduce(in, lo, hi);
            } else {
                view.copy(in, lo, hi);
            }
        }
    }

    /**
     * One array sent while another is received, each in chunks framed as {@link Whole} frames them (a
     * message of length 0 is one empty frame), so that either end may be a plain send or receive. The two
     * directions are independent.
     */
    static final class Pair extends Transfer {
        ArrayView out;
        int outLength;
        ArrayView in;
        int inLength;
        int chunkElems;

        /** Frames for a message of {@code length} elements; {@code none}: nothing to send or receive this way. */
        int frames(int length, boolean none) {
            return none ? 0 : Math.max(1, (length + chunkElems - 1) / chunkElems);
        }

        private int bytes(int k, int length, ArrayView v) {
            return (Math.min(length, (k + 1) * chunkElems) - Math.min(length, k * chunkElems)) * v.elementBytes();
        }

        @Override
        int sendBytes(int k) {
            return bytes(k, outLength, out);
        }

        @Override
        void encode(int k, TcpLink link) {
            out.encode(link, Math.min(outLength, k * chunkElems), Math.min(outLength, (k + 1) * chunkElems));
        }

        @Override
        int recvBytes(int k) {
            return bytes(k, inLength, in);
        }

        @Override
        void decode(int k, TcpLink link) {
            in.copy(link, Math.min(inLength, k * chunkElems), Math.min(inLength, (k + 1) * chunkElems));
        }
    }
}
