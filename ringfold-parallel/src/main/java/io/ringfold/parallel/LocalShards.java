package io.ringfold.parallel;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * The rows of the shards one worker owns, copied out of the full data set, so a worker holds only its
 * part: for shard j, its rows in local order (global rows j, j+S, j+2S, ...) and their labels.
 */
final class LocalShards {

    private final Matrix[] features;
    private final float[][] labels;
    private final float[][] weights;

    LocalShards(Matrix x, float[] y, ShardPlan plan, int firstShard, int endShard) {
        this(x, y, null, plan, firstShard, endShard);
    }

    /** {@code w}: each row's weight, or null (all 1). */
    LocalShards(Matrix x, float[] y, float[] w, ShardPlan plan, int firstShard, int endShard) {
        this(x, y, w, plan, firstShard, endShard, true);
    }

    /**
     * The shards' labels, and their features only when {@code withFeatures}: a pipeline stage after the
     * first reads its input from the previous stage, so it need not copy the data's features.
     */
    LocalShards(Matrix x, float[] y, float[] w, ShardPlan plan, int firstShard, int endShard, boolean withFeatures) {
        int count = endShard - firstShard;
        features = new Matrix[count];
        labels = new float[count][];
        weights = new float[count][];
        for (int s = 0; s < count; s++) {
            int shard = firstShard + s;
            int n = plan.shardRows(shard);
            int[] rows = new int[n];
            float[] l = new float[n];
            float[] wl = w == null ? null : new float[n];
            for (int i = 0; i < n; i++) {
                rows[i] = plan.globalRow(shard, i);
                l[i] = y[rows[i]];
                if (wl != null) {
                    wl[i] = w[rows[i]];
                }
            }
            features[s] = withFeatures ? x.gatherRows(rows, 0, n) : null;
            labels[s] = l;
            weights[s] = wl;
        }
    }

    /**
     * The same from the owned rows only ({@link OwnedRows}, sorted by global index). Every block of S
     * consecutive global rows before the last holds one row of each owned shard, in shard order, so
     * local row l of shard j sits at position {@code l * owned + (j - first)}.
     */
    LocalShards(OwnedRows rows, ShardPlan plan, int firstShard, int endShard) {
        int count = endShard - firstShard;
        int expected = 0;
        for (int s = 0; s < count; s++) {
            expected += plan.shardRows(firstShard + s);
        }
        if (rows.x().rows() != expected) {
            throw new IllegalArgumentException("owned rows: " + rows.x().rows() + " (expected: " + expected
                    + ", the rows of shards " + firstShard + ".." + (endShard - 1) + " of " + rows.totalRows() + ")");
        }
        features = new Matrix[count];
        labels = new float[count][];
        weights = new float[count][];
        if (count == 1) {
            // One shard: the owned rows are that shard's rows in local order already; no copy (for a large
            // data set a second copy of the worker's part, and a burden on the collector).
            features[0] = rows.x();
            labels[0] = rows.y();
            weights[0] = rows.w();
            return;
        }
        for (int s = 0; s < count; s++) {
            int n = plan.shardRows(firstShard + s);
            int[] at = new int[n];
            float[] l = new float[n];
            float[] wl = rows.w() == null ? null : new float[n];
            for (int i = 0; i < n; i++) {
                at[i] = i * count + s;
                l[i] = rows.y()[at[i]];
                if (wl != null) {
                    wl[i] = rows.w()[at[i]];
                }
            }
            features[s] = rows.x().gatherRows(at, 0, n);
            labels[s] = l;
            weights[s] = wl;
        }
    }

    Matrix features(int localShard) {
        return features[localShard];
    }

    float[] labels(int localShard) {
        return labels[localShard];
    }

    /** The rows' weights, or null when every row weighs 1. */
    float[] weights(int localShard) {
        return weights[localShard];
    }

    boolean dense() {
        return features.length > 0 && features[0] instanceof FloatMatrix;
    }
}
