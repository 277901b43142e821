package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.model.ModelType;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.collection.Iterator;

import java.util.Arrays;

/**
 * When the input has one partition per worker, the barrier stage runs straight on it, in one pass: each
 * task reads and checks its partition into float32 ({@link PartitionBlock}), the summaries travel in the
 * stage's all-gather (which gives every partition's first global position and the {@link Layout}), and
 * the tasks hand each other the rows they own. No input pass before the stage and no Spark shuffle (which
 * serialises every row, compresses it and goes through disk).
 *
 * <p>Task p holds input partition p, whose rows have global positions {@code offsets[p] + k}. When all
 * tasks share a JVM, each reads its rows straight from the others' blocks. Otherwise every pair of tasks
 * exchanges over the ring, in one global order of pairs (so that no two tasks wait on each other), the
 * rows each owns of the other's partition. No positions travel: the receiver regenerates the sender's
 * position sequence from the offsets and keeps those it owns, in order. Dense rows travel as labels then
 * features; sparse rows as labels, row lengths, column indices and values (integers as two exact 16-bit
 * halves, since the ring carries float32).
 */
final class ExchangedRows implements TaskRows<InternalRow, PartitionBlock> {

    private static final long serialVersionUID = 1L;

    private final ModelType model;
    private final int workers;
    private final int shards;
    private final boolean classification;
    private final int metadataClasses;

    ExchangedRows(ModelType model, int workers, int shards, boolean classification, int metadataClasses) {
        this.model = model;
        this.workers = workers;
        this.shards = shards;
        this.classification = classification;
        this.metadataClasses = metadataClasses;
    }

    @Override
    public PartitionBlock stage(Iterator<InternalRow> input, int rank) {
        return PartitionBlock.read(input, classification, metadataClasses);
    }

    @Override
    public String publish(PartitionBlock staged) {
        return staged.summary.encode();
    }

    @Override
    public Layout layout(String[] published) {
        if (published.length != workers) {
            throw new IllegalStateException("input partitions: " + published.length + " (expected: one per worker, "
                    + workers + ")");
        }
        InputSummary[] byPartition = new InputSummary[published.length];
        for (int p = 0; p < published.length; p++) {
            byPartition[p] = InputSummary.decode(published[p]);
        }
        long[] offsets = new long[published.length];
        InputSummary total = Layout.merge(byPartition, offsets, classification, metadataClasses);
        return Layout.decide(total, offsets, workers, shards, classification, metadataClasses, model);
    }

    @Override
    public OwnedRows complete(PartitionBlock staged, Layout layout, Communicator comm, String sameJvmKey) {
        int rank = comm.rank();
        if (sameJvmKey != null) {
            PartitionBlock[] blocks = SameJvmGroups.shareBlocks(sameJvmKey, rank, staged, comm);
            try {
                return assemble(layout, rank, blocks, false);
            } finally {
                SameJvmGroups.releaseBlocks(sameJvmKey, comm);
            }
        }
        // Every unordered pair once, in one global order: the lower rank sends first. A task only waits on
        // a pair that every earlier pair it is part of has finished, so the schedule cannot deadlock.
        RowSource[] fromPeer = new RowSource[workers];
        for (int a = 0; a < workers; a++) {
            for (int b = a + 1; b < workers; b++) {
                if (rank == a) {
                    send(comm, b, staged, layout);
                    fromPeer[b] = receive(comm, b, layout);
                } else if (rank == b) {
                    fromPeer[a] = receive(comm, a, layout);
                    send(comm, a, staged, layout);
                }
            }
        }
        fromPeer[rank] = staged;
        return assemble(layout, rank, fromPeer, true);
    }

    /** Rows of {@code from}'s partition that {@code to} owns. */
    private int rowsBetween(Layout layout, int from, int to) {
        int n = 0;
        long end = layout.offsets()[from] + layout.rowsOf(from);
        for (long pos = layout.offsets()[from]; pos < end; pos++) {
            if (OwnedRows.owner(pos, workers, shards) == to) {
                n++;
            }
        }
        return n;
    }

    private void send(Communicator comm, int peer, PartitionBlock block, Layout layout) {
        int rank = comm.rank();
        long first = layout.offsets()[rank];
        int width = layout.width();
        if (!layout.sparse()) {
            int rows = rowsBetween(layout, rank, peer);
            float[] m = new float[rows * (1 + width)];
            int j = 0;
            for (int k = 0; k < block.rows(); k++) {
                if (OwnedRows.owner(first + k, workers, shards) == peer) {
                    m[j] = block.label(k);
                    block.copyDense(k, m, rows + j * width, width);
                    j++;
                }
            }
            comm.send(peer, m, 0, m.length);
            return;
        }
        SparseRows g = new SparseRows();
        for (int k = 0; k < block.rows(); k++) {
            if (OwnedRows.owner(first + k, workers, shards) == peer) {
                g.add(block, k);
            }
        }
        SparseRowStore c = g.csr;
        float[] header = {c.nnz >>> 16, c.nnz & 0xFFFF};
        comm.send(peer, header, 0, 2);
        float[] m = new float[c.rows * 3 + c.nnz * 3];
        int at = 0;
        System.arraycopy(g.labels, 0, m, 0, c.rows);
        at += c.rows;
        at = halves(c.lengths, c.rows, m, at);
        at = halves(c.indices, c.nnz, m, at);
        System.arraycopy(c.values, 0, m, at, c.nnz);
        comm.send(peer, m, 0, m.length);
    }

    private RowSource receive(Communicator comm, int peer, Layout layout) {
        int rows = rowsBetween(layout, peer, comm.rank());
        if (!layout.sparse()) {
            int width = layout.width();
            float[] m = new float[rows * (1 + width)];
            comm.receive(peer, m, 0, m.length);
            return new DenseRows(m, rows, width);
        }
        float[] header = new float[2];
        comm.receive(peer, header, 0, 2);
        int nnz = ((int) header[0] << 16) | (int) header[1];
        float[] m = new float[rows * 3 + nnz * 3];
        comm.receive(peer, m, 0, m.length);
        SparseRows g = new SparseRows();
        g.labels = Arrays.copyOfRange(m, 0, rows);
        SparseRowStore c = g.csr;
        c.rows = rows;
        c.nnz = nnz;
        c.lengths = whole(m, rows, rows);
        c.indices = whole(m, rows * 3, nnz);
        c.values = Arrays.copyOfRange(m, rows * 3 + nnz * 2, rows * 3 + nnz * 3);
        c.finish();
        return g;
    }

    /** Receives each owned row's index in its source and its local index here. */
    @FunctionalInterface
    private interface Placement {
        void place(int i, int at);
    }

    /**
     * Walks {@code source}'s input partition in position order and, for each row {@code rank} owns, calls
     * {@code placement} with its index in the source (its index in the partition, or among the rows sent to
     * {@code rank} when {@code sent}) and its local index here.
     */
    private void placeRows(Layout layout, int source, int rank, boolean sent, Placement placement) {
        int j = 0;
        long first = layout.offsets()[source];
        long end = first + layout.rowsOf(source);
        for (long pos = first; pos < end; pos++) {
            if (OwnedRows.owner(pos, workers, shards) == rank) {
                placement.place(sent ? j++ : (int) (pos - first), OwnedRows.localIndex(pos, rank, workers, shards));
            }
        }
    }

    /**
     * This worker's rows in local order. {@code sources[s]} holds partition s's rows: all of them (a
     * block), or, when {@code sent} and s is another task, only those sent here. This task's own block is
     * always whole.
     */
    private OwnedRows assemble(Layout layout, int rank, RowSource[] sources, boolean sent) {
        int total = layout.rows();
        int width = layout.width();
        int n = OwnedRows.count(total, rank, workers, shards);
        float[] y = new float[n];
        if (!layout.sparse()) {
            // Every row is placed below, so a reused array's old contents are all overwritten.
            FloatMatrix x = new FloatMatrix(n, width, RowBufferPool.take(Math.multiplyExact(n, width)));
            float[] data = x.data();
            for (int s = 0; s < workers; s++) {
                RowSource src = sources[s];
                placeRows(layout, s, rank, sent && s != rank, (i, at) -> {
                    y[at] = src.label(i);
                    src.copyDense(i, data, at * width, width);
                });
            }
            return new OwnedRows(x, y, total);
        }
        // Row lengths at their local index first, for the row pointers; then each row's entries into place.
        int[] lengths = new int[n];
        for (int s = 0; s < workers; s++) {
            RowSource src = sources[s];
            placeRows(layout, s, rank, sent && s != rank, (i, at) -> lengths[at] = src.length(i));
        }
        int[] ptr = new int[n + 1];
        for (int i = 0; i < n; i++) {
            ptr[i + 1] = ptr[i] + lengths[i];
        }
        int[] col = new int[ptr[n]];
        float[] val = new float[ptr[n]];
        for (int s = 0; s < workers; s++) {
            RowSource src = sources[s];
            placeRows(layout, s, rank, sent && s != rank, (i, at) -> {
                y[at] = src.label(i);
                src.copySparse(i, col, val, ptr[at]);
            });
        }
        return new OwnedRows(new CsrMatrix(n, width, ptr, col, val), y, total);
    }

    /** Dense rows received from a peer: labels, then features row by row. */
    private record DenseRows(float[] m, int rows, int width) implements RowSource {

        @Override
        public float label(int i) {
            return m[i];
        }

        @Override
        public void copyDense(int i, float[] dst, int at, int w) {
            System.arraycopy(m, rows + i * width, dst, at, w);
        }

        @Override
        public int length(int i) {
            throw new IllegalStateException("sparse rows requested from dense ones");
        }

        @Override
        public void copySparse(int i, int[] col, float[] val, int at) {
            throw new IllegalStateException("sparse rows requested from dense ones");
        }
    }

    /** One group of sparse rows, in position order: built to send, or received. */
    static final class SparseRows implements RowSource {
        float[] labels = new float[64];
        final SparseRowStore csr = new SparseRowStore();

        void add(PartitionBlock block, int k) {
            int rows = csr.rows;
            if (rows == labels.length) {
                labels = Arrays.copyOf(labels, rows * 2);
            }
            int len = block.length(k);
            labels[rows] = block.label(k);
            csr.reserve(len);
            block.copySparse(k, csr.indices, csr.values, csr.nnz);
            csr.endRow(len);
        }

        @Override
        public float label(int i) {
            return labels[i];
        }

        @Override
        public void copyDense(int i, float[] dst, int at, int width) {
            csr.scatter(i, dst, at, width);
        }

        @Override
        public int length(int i) {
            return csr.length(i);
        }

        @Override
        public void copySparse(int i, int[] col, float[] val, int at) {
            csr.copy(i, col, val, at);
        }
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
