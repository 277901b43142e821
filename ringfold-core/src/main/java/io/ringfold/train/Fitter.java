package io.ringfold.train;

import io.ringfold.nn.Network;
import io.ringfold.tensor.Matrix;

/**
 * How a {@link TrainingRun} fits parameters once data, preprocessing and network are settled:
 * the single-process {@link Trainer}, or a data-parallel trainer from a higher layer.
 */
@FunctionalInterface
public interface Fitter {

    /**
     * Trains on preprocessed rows with their weights {@code w} (null: all 1; only the full-batch solvers take
     * weights); {@code xVal}/{@code yVal} may be null.
     */
    TrainingResult fit(Network net, Matrix x, float[] y, float[] w, Matrix xVal, float[] yVal,
                       TrainingListener listener);

    /** Trains with every row weighing 1. */
    default TrainingResult fit(Network net, Matrix x, float[] y, Matrix xVal, float[] yVal, TrainingListener listener) {
        return fit(net, x, y, null, xVal, yVal, listener);
    }
}
