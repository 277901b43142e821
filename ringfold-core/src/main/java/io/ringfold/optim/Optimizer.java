package io.ringfold.optim;

/**
 * A first-order optimizer. Its state (moments, step count) lives here, never in the model, with an
 * explicit lifecycle: {@link #initialize} once per training run, {@link #step} per mini-batch,
 * {@link #reset} to start over, {@link #copy} to reuse a configured optimizer in another run, and
 * {@link #state}/{@link #restore} for checkpoints.
 */
public interface Optimizer {

    /** Name and settings, e.g. {@code adam(beta1=0.9, beta2=0.999, eps=1e-8)}. */
    String describe();

    /** Allocates zeroed state for a parameter vector of this length; resets the step count. */
    void initialize(int parameterCount);

    /** One update of {@code params} in place from {@code grad} at the given learning rate. */
    default void step(float[] params, float[] grad, float learningRate) {
        step(params, grad, learningRate, 0, params.length);
    }

    /**
     * One update of elements {@code [from, to)} only (of params, grad and the state), counted as one step.
     * Each element's update depends only on its own values and the step count, so workers that update
     * disjoint ranges of identical vectors (a sharded optimizer step) produce the bits of one full update.
     */
    default void step(float[] params, float[] grad, float learningRate, int from, int to) {
        step(params, grad, learningRate, new int[] {from, to}, 1);
    }

    /**
     * One update, counted as one step, of the elements in {@code [ranges[2k], ranges[2k + 1])} for
     * {@code k < pairs} (ascending, disjoint); the other elements and their state are left as they are. This is
     * how an embedding table's rows that no example of the step used are skipped (PyTorch's SparseAdam, the lazy
     * Adam of TensorFlow Addons): their moments do not decay and they do not move.
     */
    void step(float[] params, float[] grad, float learningRate, int[] ranges, int pairs);

    /** Checks {@link #step(float[], float[], float, int[], int)}'s ranges against the vectors. */
    static void checkRanges(int expected, float[] params, float[] grad, int[] ranges, int pairs) {
        checkSizes(expected, params, grad);
        int last = 0;
        for (int k = 0; k < pairs; k++) {
            int from = ranges[2 * k];
            int to = ranges[2 * k + 1];
            if (from < last || from > to || to > params.length) {
                throw new IllegalArgumentException("step range " + k + ": [" + from + ", " + to + ") (expected: within [0, "
                        + params.length + "], ascending and disjoint)");
            }
            last = to;
        }
    }

    /** Zeroes the state and the step count, keeping the settings. */
    void reset();

    /** A new optimizer with the same settings and a copy of the current state. */
    Optimizer copy();

    /** Number of steps taken since initialisation. */
    long steps();

    /** A copy of the state, for checkpoints. */
    OptimizerState state();

    /** Replaces the state with a copy of {@code state}, which must come from the same kind of optimizer. */
    void restore(OptimizerState state);

    /** Throws the uniform error for a step before initialisation or with a mis-sized vector. */
    static void checkSizes(int expected, float[] params, float[] grad) {
        if (expected < 0) {
            throw new IllegalStateException("optimizer: step before initialize");
        }
        if (params.length != expected || grad.length != expected) {
            throw new IllegalArgumentException("params/grad length: " + params.length + "/" + grad.length
                    + " (expected: " + expected + ")");
        }
    }
}
