package io.ringfold.parallel;

/**
 * How rows, batches and steps map onto a fixed number of logical shards, independently of the number
 * of workers. Row i of the training data belongs to shard {@code i mod S}, at local index
 * {@code i / S}; a global batch of B rows takes {@code B / S} rows from each shard (the first
 * {@code B mod S} shards one more). An epoch has as many steps as the largest shard needs; near the end
 * small shards run out and a step has fewer rows. Shards are owned by workers in contiguous blocks:
 * worker w of W owns shards {@code [w S / W, (w+1) S / W)}.
 */
final class ShardPlan {

    private final int rows;
    private final int shards;
    private final int batch;
    private final int steps;

    ShardPlan(int rows, int shards, int batch) {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards: " + shards + " (expected: > 0)");
        }
        if (rows < shards) {
            throw new IllegalArgumentException("training rows: " + rows + " (expected: at least one per shard, "
                    + shards + "; use fewer --shards)");
        }
        if (batch < shards) {
            throw new IllegalArgumentException("batchSize: " + batch + " (expected: >= shards, " + shards
                    + ", so that every shard contributes to every step)");
        }
        this.rows = rows;
        this.shards = shards;
        this.batch = batch;
        int s = 0;
        for (int j = 0; j < shards; j++) {
            int b = shardBatch(j);
            s = Math.max(s, (shardRows(j) + b - 1) / b);
        }
        this.steps = s;
    }

    int shards() {
        return shards;
    }

    int stepsPerEpoch() {
        return steps;
    }

    int shardRows(int shard) {
        return rows / shards + (shard < rows % shards ? 1 : 0);
    }

    int shardBatch(int shard) {
        return batch / shards + (shard < batch % shards ? 1 : 0);
    }

    /** Global row index of local row {@code local} of {@code shard}. */
    int globalRow(int shard, int local) {
        return local * shards + shard;
    }

    /** First local position of {@code shard}'s batch at {@code step} (in its epoch permutation). */
    int batchStart(int shard, int step) {
        return step * shardBatch(shard);
    }

    /** Rows {@code shard} contributes to {@code step}: its batch, or fewer (or none) at the end. */
    int batchRows(int shard, int step) {
        return Math.max(0, Math.min(shardBatch(shard), shardRows(shard) - batchStart(shard, step)));
    }

    /** Rows of all shards in {@code step}: what the summed gradient is divided by. */
    int stepRows(int step) {
        int n = 0;
        for (int j = 0; j < shards; j++) {
            n += batchRows(j, step);
        }
        return n;
    }

    static int firstShard(int worker, int workers, int shards) {
        return (int) ((long) worker * shards / workers);
    }

    static int endShard(int worker, int workers, int shards) {
        return (int) ((long) (worker + 1) * shards / workers);
    }
}
