package io.ringfold.train;

/** Progress callbacks from a {@link Trainer}, on the training thread. Both default to doing nothing. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    /** After each step: {@code step} of {@code steps} steps in epoch {@code epoch} (1-based). */
    default void onStep(int epoch, int step, int steps) {
    }

    default void onEpoch(EpochMetrics metrics) {
    }

    /** Data-parallel training: what each rank did during epoch {@code epoch} (1-based), before its metrics. */
    default void onTelemetry(int epoch, java.util.List<RankTelemetry> ranks) {
    }
}
