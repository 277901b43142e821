package io.ringfold.spark;

import io.ringfold.model.ModelType;

import java.io.Serializable;

/**
 * What training needs to know about the whole input before it starts, decided from the merged
 * {@link InputSummary}: the row count, the feature width, the class count and whether every row is
 * sparse. The same decision runs on the driver (shuffle path, after its input pass) and in every barrier
 * task (exchange path, from the summaries the tasks all-gather), so a bad input gets the same message
 * either way.
 *
 * @param offsets the first global position of each input partition (null on the shuffle path)
 */
record Layout(int rows, int width, int classes, boolean sparse, long[] offsets) implements Serializable {

    /**
     * The layout of an input whose summary is {@code s}, or {@link IllegalArgumentException} naming the
     * first problem: a bad row (by global position), too few rows, mixed or empty vectors, too few classes.
     */
    static Layout decide(InputSummary s, long[] offsets, int workers, int shards, boolean classification,
                         int metadataClasses, ModelType model) {
        if (s.rows == 0) {
            throw new IllegalArgumentException("dataset: 0 rows (expected: at least numShards, " + shards + ")");
        }
        if (s.problem != null) {
            throw new IllegalArgumentException("row " + s.badRow + ": " + s.problem);
        }
        if (workers > s.rows) {
            throw new IllegalArgumentException("numWorkers: " + workers + " (expected: at most the " + s.rows
                    + " rows of the dataset)");
        }
        if (s.rows < shards) {
            throw new IllegalArgumentException("dataset: " + s.rows + " rows (expected: at least numShards, " + shards
                    + ", so that no shard and no worker is empty; lower numShards)");
        }
        if (s.rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dataset: " + s.rows + " rows (expected: at most " + Integer.MAX_VALUE + ")");
        }
        if (s.minSize != s.maxSize) {
            throw new IllegalArgumentException("features: vectors of sizes " + s.minSize + " to " + s.maxSize
                    + " (expected: one size for every row)");
        }
        if (s.minSize == 0) {
            throw new IllegalArgumentException("features: vectors of size 0 (expected: at least one feature)");
        }
        int classes = classification ? (metadataClasses > 0 ? metadataClasses : (int) s.maxLabel + 1) : 0;
        if (classification && classes < 2) {
            throw new IllegalArgumentException("classes: " + classes + " (expected: at least 2; the largest label is "
                    + s.maxLabel + ")");
        }
        if (classification && model == ModelType.LOGISTIC && classes != 2) {
            throw new IllegalArgumentException("classes: " + classes + " (expected: 2 for modelType logistic; use "
                    + "softmax or mlp for more)");
        }
        return new Layout((int) s.rows, s.minSize, classes, s.sparseRows == s.rows, offsets);
    }

    /** Merges per-partition summaries (positions local to their partition) in partition order; fills {@code offsets}. */
    static InputSummary merge(InputSummary[] byPartition, long[] offsets, boolean classification, int metadataClasses) {
        InputSummary total = new InputSummary(classification, metadataClasses);
        long at = 0;
        for (int p = 0; p < byPartition.length; p++) {
            offsets[p] = at;
            InputSummary s = byPartition[p];
            if (s.badRow != Long.MAX_VALUE) {
                s.badRow += at;
            }
            total.merge(s);
            at += s.rows;
        }
        return total;
    }

    /** Rows of input partition {@code p}. */
    long rowsOf(int p) {
        return (p + 1 < offsets.length ? offsets[p + 1] : rows) - offsets[p];
    }
}
