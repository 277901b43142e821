package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * Rows that a Spark shuffle already routed to their owner, keyed by global position (the path when the
 * input's partition count differs from the worker count): sort by position into the float32 block.
 */
final class RoutedRows implements TaskRows<Tuple2<Long, LabeledRow>, OwnedRows> {

    private static final long serialVersionUID = 1L;

    private final Layout layout;
    private final int workers;
    private final int shards;
    private final boolean weighted;

    /** {@code layout}: decided on the driver after its input pass; {@code weighted}: the rows carry weights. */
    RoutedRows(Layout layout, int workers, int shards, boolean weighted) {
        this.layout = layout;
        this.workers = workers;
        this.shards = shards;
        this.weighted = weighted;
    }

    @Override
    public OwnedRows stage(Iterator<Tuple2<Long, LabeledRow>> input, int rank) {
        int totalRows = layout.rows();
        int width = layout.width();
        int n = OwnedRows.count(totalRows, rank, workers, shards);
        LabeledRow[] rows = new LabeledRow[n];
        int received = 0;
        while (input.hasNext()) {
            Tuple2<Long, LabeledRow> t = input.next();
            received++;
            int at = OwnedRows.localIndex(t._1(), rank, workers, shards);
            if (rows[at] != null) {
                throw new IllegalArgumentException("row " + t._1() + " received twice (expected: once)");
            }
            rows[at] = t._2();
        }
        if (received != n) {
            throw new IllegalArgumentException("rows received: " + received + " (expected: " + n
                    + ", the rows of this worker's shards among " + totalRows + ")");
        }
        float[] y = new float[n];
        float[] w = weighted ? new float[n] : null;
        if (w != null) {
            for (int i = 0; i < n; i++) {
                w[i] = rows[i].weight;
            }
        }
        Matrix x;
        if (layout.sparse()) {
            int[] ptr = new int[n + 1];
            for (int i = 0; i < n; i++) {
                ptr[i + 1] = ptr[i] + rows[i].values.length;
            }
            int[] col = new int[ptr[n]];
            float[] val = new float[ptr[n]];
            for (int i = 0; i < n; i++) {
                LabeledRow r = rows[i];
                System.arraycopy(r.indices, 0, col, ptr[i], r.indices.length);
                System.arraycopy(r.values, 0, val, ptr[i], r.values.length);
                y[i] = r.label;
            }
            x = new CsrMatrix(n, width, ptr, col, val);
        } else {
            // Every row arrives exactly once (checked above), so a reused array is overwritten whole.
            FloatMatrix d = new FloatMatrix(n, width, RowBufferPool.take(Math.multiplyExact(n, width)));
            float[] data = d.data();
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows[i].values, 0, data, i * width, width);
                y[i] = rows[i].label;
            }
            x = d;
        }
        return new OwnedRows(x, y, w, totalRows);
    }

    @Override
    public String publish(OwnedRows staged) {
        return "";
    }

    @Override
    public Layout layout(String[] published) {
        return layout;
    }

    @Override
    public OwnedRows complete(OwnedRows staged, Layout l, Communicator comm, String sameJvmKey) {
        return staged;
    }
}
