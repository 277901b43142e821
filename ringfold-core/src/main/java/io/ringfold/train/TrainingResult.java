package io.ringfold.train;

import java.util.List;

/**
 * Outcome of {@link Trainer#fit}: the final parameters (the best epoch's when early stopping
 * restored them), per-epoch metrics, and timing. {@code trainSeconds} counts the optimisation steps only,
 * not validation, so that samples per second compare with other frameworks' training loops.
 */
public record TrainingResult(float[] parameters, List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly,
                             double trainSeconds, long samplesSeen) {

    public TrainingResult {
        parameters = parameters.clone();
        epochs = List.copyOf(epochs);
    }

    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    public double samplesPerSecond() {
        return trainSeconds > 0 ? samplesSeen / trainSeconds : 0;
    }
}
