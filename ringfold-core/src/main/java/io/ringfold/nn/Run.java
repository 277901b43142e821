package io.ringfold.nn;

import io.ringfold.tensor.Blas;

/**
 * How a forward or backward pass runs: with which BLAS, and in which mode. Training applies dropout and
 * normalises by the batch's own statistics; evaluation is the model's function (no dropout, running
 * statistics); prediction is evaluation through the batch-invariant kernels.
 */
record Run(Blas blas, Mode mode, TrainingContext context) {

    enum Mode { TRAIN, EVALUATE, PREDICT }

    boolean training() {
        return mode == Mode.TRAIN;
    }
}
