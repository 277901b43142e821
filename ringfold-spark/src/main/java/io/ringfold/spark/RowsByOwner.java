package io.ringfold.spark;

import io.ringfold.parallel.OwnedRows;
import org.apache.spark.Partitioner;

/**
 * Routes a row, keyed by its global position in the input, to the task of the worker that owns its
 * logical shard ({@link OwnedRows#owner}): partition w is worker w, whatever the input's partitioning.
 */
final class RowsByOwner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final int workers;
    private final int shards;

    RowsByOwner(int workers, int shards) {
        this.workers = workers;
        this.shards = shards;
    }

    @Override
    public int numPartitions() {
        return workers;
    }

    @Override
    public int getPartition(Object key) {
        return OwnedRows.owner((Long) key, workers, shards);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowsByOwner r && r.workers == workers && r.shards == shards;
    }

    @Override
    public int hashCode() {
        return 31 * workers + shards;
    }
}
