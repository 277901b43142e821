package io.ringfold.parallel;

/**
 * What the worker threads of one {@link WorkerThreads} fit share in memory ({@link SiblingShardedStep}):
 * each rank's shard gradient arrays and parameter array, and one statistics array in which each rank
 * writes only its own shards' slots. Written before a barrier of their communicator and read after it,
 * which orders the accesses (the in-process barrier's monitor and volatile generation counter).
 */
final class Siblings {

    final int workers;
    final float[][][] grads;
    /** The first shard of each rank's {@link #grads}. */
    final int[] firstShard;
    final double[] stats;
    final float[][] params;

    Siblings(int workers, int shards) {
        this.workers = workers;
        this.grads = new float[workers][][];
        this.firstShard = new int[workers];
        this.stats = new double[3 * shards];
        this.params = new float[workers][];
    }
}
