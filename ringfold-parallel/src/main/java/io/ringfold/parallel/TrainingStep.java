package io.ringfold.parallel;

import io.ringfold.optim.Optimizer;

/**
 * One worker's part of one synchronous step: gradients of its shards, the exchange, the optimizer
 * update; afterwards every worker holds the same parameters. {@link ExactStep} (bit-identical for any
 * worker count) and {@link Float32Step} (a float allreduce). Kept out of the trainer's epoch loop so that
 * the JIT compiles each as a small method of its own (see ExactStep).
 */
interface TrainingStep {

    /**
     * Step {@code t} of the epoch whose shard row orders are {@code order}; {@code globalStep} counts steps
     * over the whole run (dropout's masks depend on it).
     */
    void run(long globalStep, int t, int[][] order, float[] params, Optimizer optimizer, float learningRate);

    /** {@code lossSum} plus the last step's shard losses over all workers, added shard by shard in order. */
    double addLoss(double lossSum);

    /** {@code hits} plus the correct predictions among the last step's rows over all workers. */
    long addHits(long hits);

    /** {@code rows} plus the rows of the last step (step {@code t} of the epoch) over all workers. */
    long addRows(long rows, int t);
}
