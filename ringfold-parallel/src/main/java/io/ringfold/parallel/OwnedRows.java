package io.ringfold.parallel;

import io.ringfold.tensor.Matrix;

/**
 * The training rows one worker holds when it does not hold the whole data set: exactly the rows of the
 * shards it owns, in ascending global row order, plus the global row count. Row i of the (conceptual)
 * full data set belongs to shard {@code i mod S}; worker w of W owns shards {@code [w S / W, (w+1) S / W)}
 * (see {@link #owner}). Training on these rows gives the same bits as training on the full matrix,
 * because the worker keeps exactly those rows either way.
 *
 * <p>This is what a worker of a distributed engine (one Spark task) gets after routing each row to its
 * owner: it never sees the other workers' rows.
 *
 * @param x         the owned rows, sorted by global row index
 * @param y         their labels
 * @param w         their weights in the loss, or null when every row weighs 1 (only the full-batch solvers take
 *                  weights)
 * @param totalRows the number of rows of the full training data, over all workers
 */
public record OwnedRows(Matrix x, float[] y, float[] w, int totalRows) {

    public OwnedRows {
        if (x.rows() != y.length) {
            throw new IllegalArgumentException("labels: " + y.length + " (expected: " + x.rows()
                    + ", one per owned row)");
        }
        if (w != null && w.length != y.length) {
            throw new IllegalArgumentException("weights: " + w.length + " (expected: " + y.length
                    + ", one per owned row)");
        }
        if (totalRows < x.rows()) {
            throw new IllegalArgumentException("totalRows: " + totalRows + " (expected: >= the " + x.rows()
                    + " owned rows)");
        }
    }

    /** Rows that all weigh 1. */
    public OwnedRows(Matrix x, float[] y, int totalRows) {
        this(x, y, null, totalRows);
    }

    /** The worker (of {@code workers}) that owns global row {@code row} with {@code shards} logical shards. */
    public static int owner(long row, int workers, int shards) {
        checkLayout(workers, shards);
        if (row < 0) {
            throw new IllegalArgumentException("row: " + row + " (expected: >= 0)");
        }
        long shard = row % shards;
        // The largest w with floor(w S / W) <= shard, i.e. w S < (shard + 1) W.
        return (int) (((shard + 1) * workers - 1) / shards);
    }

    /**
     * Where global row {@code row} sits among the rows worker {@code worker} owns, in position order: every
     * round of S rows but the last is complete, so the rows before it are {@code row / S} full rounds of
     * the worker's shards plus its shards before {@code row mod S} in this round. The row must be owned.
     */
    public static int localIndex(long row, int worker, int workers, int shards) {
        checkLayout(workers, shards);
        int first = ShardPlan.firstShard(worker, workers, shards);
        int end = ShardPlan.endShard(worker, workers, shards);
        int shard = (int) (row % shards);
        if (row < 0 || shard < first || shard >= end) {
            throw new IllegalArgumentException("row: " + row + " (expected: a row of worker " + worker + "'s shards ["
                    + first + ", " + end + ") of " + shards + ")");
        }
        return Math.toIntExact(row / shards * (end - first) + (shard - first));
    }

    /**
     * The global row at local index {@code local} of worker {@code worker}'s owned rows: the inverse of
     * {@link #localIndex}. Each round of S global rows holds one row of each owned shard, in shard order.
     */
    public static long globalRow(int local, int worker, int workers, int shards) {
        checkLayout(workers, shards);
        int first = ShardPlan.firstShard(worker, workers, shards);
        int owned = ShardPlan.endShard(worker, workers, shards) - first;
        if (local < 0) {
            throw new IllegalArgumentException("local: " + local + " (expected: >= 0)");
        }
        return (long) (local / owned) * shards + first + local % owned;
    }

    /** How many of {@code totalRows} rows worker {@code worker} owns. */
    public static int count(int totalRows, int worker, int workers, int shards) {
        checkLayout(workers, shards);
        int first = ShardPlan.firstShard(worker, workers, shards);
        int end = ShardPlan.endShard(worker, workers, shards);
        int n = 0;
        for (int j = first; j < end; j++) {
            n += totalRows / shards + (j < totalRows % shards ? 1 : 0);
        }
        return n;
    }

    private static void checkLayout(int workers, int shards) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards: " + shards + " (expected: > 0)");
        }
        if (workers <= 0 || workers > shards) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: 1.." + shards
                    + ", at most the shard count)");
        }
    }
}
