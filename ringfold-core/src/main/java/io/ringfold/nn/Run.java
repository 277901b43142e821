package io.ringfold.nn;

import io.ringfold.tensor.Blas;

/**
 * How a forward or backward pass runs: with which BLAS, and in which mode. Training applies dropout and
 * normalises by the batch's own statistics; evaluation is the model's function (no dropout, running
 * statistics); prediction is evaluation through the batch-invariant kernels.
 *
 * <p>{@code normSquares}, when not null, makes a backward pass the first of DP-SGD's two
 * ({@link Backpropagation#computeClipped}): each layer with parameters adds the squared L2 norm of each
 * example's gradient of its parameters to {@code normSquares[row]}, from its input and its output's gradient,
 * and may leave its range of {@code grad} unwritten; the gradients for the inputs are computed as usual.
 */
record Run(Blas blas, Mode mode, TrainingContext context, double[] normSquares) {

    enum Mode { TRAIN, EVALUATE, PREDICT }

    Run(Blas blas, Mode mode, TrainingContext context) {
        this(blas, mode, context, null);
    }

    /** Whether this backward pass measures per-example gradient norms instead of summing gradients. */
    boolean measuresNorms() {
        return normSquares != null;
    }

    boolean training() {
        return mode == Mode.TRAIN;
    }
}
