package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;

import java.util.Arrays;

/**
 * When the input has one partition per worker, the barrier stage runs straight on it and the tasks hand
 * each other's rows over the ring they train on, instead of a Spark shuffle (which serialises every
 * row, compresses it and goes through disk: most of a short fit's time).
 *
 * <p>Task p holds input partition p, whose rows have global positions {@code offsets[p] + k}. It sorts
 * them by owner; then every pair of tasks exchanges, in one global order of pairs (so that no two tasks
 * wait on each other), the rows each owns of the other's partition. No positions travel: the receiver
 * regenerates the sender's position sequence from the offsets and keeps those it owns, in order. Dense
 * rows travel as labels then features; sparse rows as labels, row lengths, column indices and values
 * (integers as two exact 16-bit halves, since the ring carries float32).
 */
final class ExchangedRows implements TaskRows<Row, ExchangedRows.Staged> {

    private static final long serialVersionUID = 1L;

    private final int width;
    private final int totalRows;
    private final int workers;
    private final int shards;
    private final boolean sparse;
    /** First global position of each input partition (= task), and the total after the last. */
    private final long[] offsets;

    ExchangedRows(int width, int totalRows, int workers, int shards, boolean sparse, long[] offsets) {
        if (offsets.length != workers) {
            throw new IllegalArgumentException("input partitions: " + offsets.length + " (expected: one per worker, "
                    + workers + ")");
        }
        this.width = width;
        this.totalRows = totalRows;
        this.workers = workers;
        this.shards = shards;
        this.sparse = sparse;
        this.offsets = offsets.clone();
    }

    /** This task's rows grouped by the worker that owns them, each group as the message it sends. */
    static final class Staged {
        final float[][] dense;
        final SparseRows[] sparse;

        Staged(float[][] dense, SparseRows[] sparse) {
            this.dense = dense;
            this.sparse = sparse;
        }
    }

    /** One group of sparse rows, in position order. */
    static final class SparseRows {
        float[] labels = new float[64];
        int[] lengths = new int[64];
        int[] indices = new int[256];
        float[] values = new float[256];
        int rows;
        int nnz;

        void add(float label, int[] idx, double[] val) {
            if (rows == labels.length) {
                labels = Arrays.copyOf(labels, rows * 2);
                lengths = Arrays.copyOf(lengths, rows * 2);
            }
            labels[rows] = label;
            lengths[rows++] = idx.length;
            if (nnz + idx.length > indices.length) {
                int cap = Math.max(indices.length * 2, nnz + idx.length);
                indices = Arrays.copyOf(indices, cap);
                values = Arrays.copyOf(values, cap);
            }
            for (int i = 0; i < idx.length; i++) {
                indices[nnz] = idx[i];
                values[nnz++] = (float) val[i];
            }
        }
    }

    private long rowsOf(int partition) {
        return (partition + 1 < workers ? offsets[partition + 1] : totalRows) - offsets[partition];
    }

    /** Rows of {@code from}'s partition that {@code to} owns. */
    private int rowsBetween(int from, int to) {
        int n = 0;
        long end = offsets[from] + rowsOf(from);
        for (long pos = offsets[from]; pos < end; pos++) {
            if (OwnedRows.owner(pos, workers, shards) == to) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Staged stage(Iterator<Row> input, int rank) {
        long pos = offsets[rank];
        if (sparse) {
            SparseRows[] groups = new SparseRows[workers];
            for (int w = 0; w < workers; w++) {
                groups[w] = new SparseRows();
            }
            while (input.hasNext()) {
                Row r = input.next();
                SparseVector v = ((Vector) r.get(0)).toSparse();
                groups[OwnedRows.owner(pos++, workers, shards)].add((float) ((Number) r.get(1)).doubleValue(),
                        v.indices(), v.values());
            }
            checkCount(pos, rank);
            return new Staged(null, groups);
        }
        float[][] messages = new float[workers][];
        for (int w = 0; w < workers; w++) {
            messages[w] = new float[rowsBetween(rank, w) * (1 + width)];
        }
        int[] rowsSoFar = new int[workers];
        while (input.hasNext()) {
            Row r = input.next();
            int w = OwnedRows.owner(pos++, workers, shards);
            float[] m = messages[w];
            int rows = m.length / (1 + width);
            int j = rowsSoFar[w]++;
            m[j] = (float) ((Number) r.get(1)).doubleValue();
            Vector v = (Vector) r.get(0);
            double[] src = v instanceof DenseVector d ? d.values() : v.toArray();
            int at = rows + j * width;
            for (int c = 0; c < width; c++) {
                m[at + c] = (float) src[c];
            }
        }
        checkCount(pos, rank);
        return new Staged(messages, null);
    }

    private void checkCount(long end, int rank) {
        long expected = offsets[rank] + rowsOf(rank);
        if (end != expected) {
            throw new IllegalArgumentException("rows in input partition " + rank + ": " + (end - offsets[rank])
                    + " (expected: " + rowsOf(rank) + " as counted before the stage; the input changed between passes)");
        }
    }

    @Override
    public OwnedRows complete(Staged staged, Communicator comm) {
        int rank = comm.rank();
        // Every unordered pair once, in one global order: the lower rank sends first. A task only waits on
        // a pair that every earlier pair it is part of has finished, so the schedule cannot deadlock.
        Object[] fromPeer = new Object[workers];
        for (int a = 0; a < workers; a++) {
            for (int b = a + 1; b < workers; b++) {
                if (rank == a) {
                    send(comm, b, staged);
                    fromPeer[b] = receive(comm, b);
                } else if (rank == b) {
                    fromPeer[a] = receive(comm, a);
                    send(comm, a, staged);
                }
            }
        }
        fromPeer[rank] = sparse ? staged.sparse[rank] : staged.dense[rank];
        return sparse ? assembleSparse(fromPeer, rank) : assembleDense(fromPeer, rank);
    }

    private void send(Communicator comm, int peer, Staged staged) {
        if (!sparse) {
            float[] m = staged.dense[peer];
            comm.send(peer, m, 0, m.length);
            return;
        }
        SparseRows g = staged.sparse[peer];
        float[] header = {g.nnz >>> 16, g.nnz & 0xFFFF};
        comm.send(peer, header, 0, 2);
        float[] m = new float[g.rows * 3 + g.nnz * 3];
        int at = 0;
        System.arraycopy(g.labels, 0, m, 0, g.rows);
        at += g.rows;
        at = halves(g.lengths, g.rows, m, at);
        at = halves(g.indices, g.nnz, m, at);
        System.arraycopy(g.values, 0, m, at, g.nnz);
        comm.send(peer, m, 0, m.length);
    }

    private Object receive(Communicator comm, int peer) {
        int rows = rowsBetween(peer, comm.rank());
        if (!sparse) {
            float[] m = new float[rows * (1 + width)];
            comm.receive(peer, m, 0, m.length);
            return m;
        }
        float[] header = new float[2];
        comm.receive(peer, header, 0, 2);
        int nnz = ((int) header[0] << 16) | (int) header[1];
        float[] m = new float[rows * 3 + nnz * 3];
        comm.receive(peer, m, 0, m.length);
        SparseRows g = new SparseRows();
        g.rows = rows;
        g.nnz = nnz;
        g.labels = Arrays.copyOfRange(m, 0, rows);
        g.lengths = whole(m, rows, rows);
        g.indices = whole(m, rows * 3, nnz);
        g.values = Arrays.copyOfRange(m, rows * 3 + nnz * 2, rows * 3 + nnz * 3);
        return g;
    }

    /** Receives the j-th row {@code source} sent and where it goes among this worker's rows. */
    @FunctionalInterface
    private interface Placement {
        void place(int j, int at);
    }

    /**
     * Walks {@code source}'s input partition in position order and, for each row {@code rank} owns, calls
     * {@code placement} with its index in what {@code source} sent and its local index here.
     */
    private void placeRows(int source, int rank, Placement placement) {
        int j = 0;
        long end = offsets[source] + rowsOf(source);
        for (long pos = offsets[source]; pos < end; pos++) {
            if (OwnedRows.owner(pos, workers, shards) == rank) {
                placement.place(j++, OwnedRows.localIndex(pos, rank, workers, shards));
            }
        }
    }

    private OwnedRows assembleDense(Object[] fromPeer, int rank) {
        int n = OwnedRows.count(totalRows, rank, workers, shards);
        FloatMatrix x = new FloatMatrix(n, width);
        float[] data = x.data();
        float[] y = new float[n];
        for (int s = 0; s < workers; s++) {
            float[] m = (float[]) fromPeer[s];
            int rows = m.length / (1 + width);
            placeRows(s, rank, (j, at) -> {
                y[at] = m[j];
                System.arraycopy(m, rows + j * width, data, at * width, width);
            });
        }
        return new OwnedRows(x, y, totalRows);
    }

    private OwnedRows assembleSparse(Object[] fromPeer, int rank) {
        int n = OwnedRows.count(totalRows, rank, workers, shards);
        // Row lengths at their local index first, for the row pointers; then each row's entries into place.
        int[] lengths = new int[n];
        int[][] starts = new int[workers][];
        for (int s = 0; s < workers; s++) {
            SparseRows g = (SparseRows) fromPeer[s];
            starts[s] = prefix(Arrays.copyOf(g.lengths, g.rows));
            placeRows(s, rank, (j, at) -> lengths[at] = g.lengths[j]);
        }
        int[] ptr = prefix(lengths);
        int[] col = new int[ptr[n]];
        float[] val = new float[ptr[n]];
        float[] y = new float[n];
        for (int s = 0; s < workers; s++) {
            SparseRows g = (SparseRows) fromPeer[s];
            int[] from = starts[s];
            placeRows(s, rank, (j, at) -> {
                y[at] = g.labels[j];
                System.arraycopy(g.indices, from[j], col, ptr[at], g.lengths[j]);
                System.arraycopy(g.values, from[j], val, ptr[at], g.lengths[j]);
            });
        }
        return new OwnedRows(new CsrMatrix(n, width, ptr, col, val), y, totalRows);
    }

    private static int[] prefix(int[] lengths) {
        int[] ptr = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            ptr[i + 1] = ptr[i] + lengths[i];
        }
        return ptr;
    }

    /** Integers as two float32 halves, each exact (0..65535). */
    private static int halves(int[] src, int n, float[] dst, int at) {
        for (int i = 0; i < n; i++) {
            dst[at++] = src[i] >>> 16;
            dst[at++] = src[i] & 0xFFFF;
        }
        return at;
    }

    private static int[] whole(float[] src, int at, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = ((int) src[at + 2 * i] << 16) | (int) src[at + 2 * i + 1];
        }
        return out;
    }
}
