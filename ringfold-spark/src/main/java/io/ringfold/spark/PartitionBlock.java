package io.ringfold.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import scala.collection.Iterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One barrier task's input partition, read once: each row is checked into an {@link InputSummary}
 * (positions local to the partition; the all-gathered summaries give the global ones) and converted to
 * float32 in the same pass. Rows stay sparse (CSR arrays) while every row seen is sparse; the first dense
 * row turns the block dense (chunks of at most {@link #CHUNK_BYTES}, so a partition of unknown size never
 * copies what it has read). A row the summary reports as bad is stored as zeros: the fit stops on the
 * report before any training.
 *
 * <p>Read-only once built, so tasks of the same JVM may read each other's blocks concurrently.
 */
final class PartitionBlock implements RowSource {

    /**
     * Bytes per dense chunk at most: under G1's humongous threshold (half a region; regions are 1 MiB and
     * up), so chunks are ordinary young objects. Humongous ones set off concurrent marking cycles whose
     * threads, on a small executor, take the cores from training.
     */
    static final int CHUNK_BYTES = 512 * 1024;

    final InputSummary summary;
    private int rows;
    private float[] labels = new float[1024];
    private boolean sparse = true;
    private int width = -1;
    /** Rows per dense chunk, from the width. */
    private int chunkRows;
    private final List<float[]> chunks = new ArrayList<>();
    /** The rows while every row seen is sparse; null once the block is dense. */
    private SparseRowStore csr = new SparseRowStore();

    private PartitionBlock(InputSummary summary) {
        this.summary = summary;
    }

    /**
     * Reads rows of {@code (features, label)} in Spark's internal form: the features as the struct
     * VectorUDT stores ({@code type} 0 sparse / 1 dense, {@code size}, {@code indices}, {@code values}),
     * the label already cast to double. Reading the stored arrays directly skips building a Row and a
     * Vector (with a copy of its values) per row.
     */
    static PartitionBlock read(Iterator<InternalRow> input, boolean classification, int metadataClasses) {
        PartitionBlock b = new PartitionBlock(new InputSummary(classification, metadataClasses));
        long k = 0;
        while (input.hasNext()) {
            b.append(input.next(), k++);
        }
        b.finish();
        return b;
    }

    int rows() {
        return rows;
    }

    private void append(InternalRow r, long at) {
        if (rows == labels.length) {
            labels = Arrays.copyOf(labels, rows * 2);
        }
        summary.count();
        if (r.isNullAt(0)) {
            summary.nullFeatures(at);
            if (sparse) {
                csr.reserve(0);
                csr.endRow(0); // stored as an empty (zero) row; the fit stops on the report
            }
        } else {
            InternalRow v = r.getStruct(0, 4);
            boolean sparseRow = v.getByte(0) == 0;
            ArrayData vals = v.getArray(3);
            int n = vals.numElements();
            int size = sparseRow ? v.getInt(1) : n;
            summary.vector(size, sparseRow);
            if (sparseRow && sparse) {
                appendSparse(v.getArray(2), vals, n, at);
            } else {
                if (sparse) {
                    toDense(size);
                }
                appendDense(sparseRow ? v.getArray(2) : null, vals, n, at);
            }
        }
        if (r.isNullAt(1)) {
            summary.nullLabel(at);
            labels[rows] = 0f;
        } else {
            double y = r.getDouble(1);
            summary.label(at, y);
            labels[rows] = (float) y;
        }
        rows++;
    }

    private void appendSparse(ArrayData idx, ArrayData vals, int n, long at) {
        csr.reserve(n);
        int[] indices = csr.indices;
        float[] values = csr.values;
        int base = csr.nnz;
        for (int i = 0; i < n; i++) {
            double d = vals.getDouble(i);
            float f = (float) d;
            if (!Float.isFinite(f)) {
                summary.badFeature(at, d, idx.getInt(i));
            }
            indices[base + i] = idx.getInt(i);
            values[base + i] = f;
        }
        csr.endRow(n);
    }

    /** A dense row ({@code idx} null) or a sparse one scattered into a dense row of the block's width. */
    private void appendDense(ArrayData idx, ArrayData vals, int n, long at) {
        float[] chunk = chunk(rows);
        int base = (rows % chunkRows) * width;
        for (int i = 0; i < n; i++) {
            double d = vals.getDouble(i);
            float f = (float) d;
            int c = idx == null ? i : idx.getInt(i);
            if (!Float.isFinite(f)) {
                summary.badFeature(at, d, c);
            }
            if (c < width) { // another size is reported by the summary
                chunk[base + c] = f;
            }
        }
    }

    /** The first dense row: the sparse rows so far move into dense chunks of {@code w} columns. */
    private void toDense(int w) {
        width = w;
        chunkRows = Math.max(1, CHUNK_BYTES / (4 * Math.max(1, w)));
        sparse = false;
        csr.finish();
        for (int i = 0; i < rows; i++) {
            csr.scatter(i, chunk(i), (i % chunkRows) * width, width);
        }
        csr = null;
    }

    private float[] chunk(int row) {
        int c = row / chunkRows;
        while (chunks.size() <= c) {
            chunks.add(new float[chunkRows * width]);
        }
        return chunks.get(c);
    }

    private void finish() {
        if (sparse) {
            csr.finish();
        }
    }

    @Override
    public float label(int i) {
        return labels[i];
    }

    @Override
    public void copyDense(int i, float[] dst, int at, int w) {
        if (sparse) {
            csr.scatter(i, dst, at, w);
        } else {
            System.arraycopy(chunks.get(i / chunkRows), (i % chunkRows) * width, dst, at, w);
        }
    }

    @Override
    public int length(int i) {
        requireSparse();
        return csr.length(i);
    }

    @Override
    public void copySparse(int i, int[] col, float[] val, int at) {
        requireSparse();
        csr.copy(i, col, val, at);
    }

    private void requireSparse() {
        if (!sparse) {
            throw new IllegalStateException("sparse rows requested from a dense block (expected: every row sparse)");
        }
    }
}
