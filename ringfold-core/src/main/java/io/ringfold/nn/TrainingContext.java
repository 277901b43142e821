package io.ringfold.nn;

/**
 * What a training step tells the layers that draw random numbers: the run's seed, the step, and each row's
 * example index in the data set. Dropout's mask for a value depends on (seed, layer, step, example, value)
 * only, so it is the same whichever worker, shard or batch position computes the example.
 *
 * @param seed     the run's seed
 * @param step     the optimizer step (0-based over the whole run)
 * @param examples the data set index of each row of the batch, {@code examples[r]} for row r
 */
public record TrainingContext(long seed, long step, int[] examples) {
}
