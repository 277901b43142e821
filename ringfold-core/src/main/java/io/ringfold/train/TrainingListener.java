package io.ringfold.train;

/** Progress callbacks from a {@link Trainer}, on the training thread. All default to doing nothing. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    /** After each step: {@code step} of {@code steps} steps in epoch {@code epoch} (1-based). */
    default void onStep(int epoch, int step, int steps) {
    }

    default void onEpoch(EpochMetrics metrics) {
    }

    /** After each iteration of a full-batch solver: the objective and the largest gradient entry. */
    default void onIteration(int iteration, double objective, double gradientNorm) {
    }

    /**
     * Data-parallel training resumed from {@code checkpoint}, before its first step: it goes on in epoch
     * {@code epoch} (1-based) after {@code step} of its {@code steps} steps, which the checkpoint had done.
     */
    default void onResume(java.nio.file.Path checkpoint, int epoch, int step, int steps) {
    }

    /** Data-parallel training: what each rank did during epoch {@code epoch} (1-based), before its metrics. */
    default void onTelemetry(int epoch, java.util.List<RankTelemetry> ranks) {
    }

    /** A private run (DP-SGD), before its first step: what it does ({@code plan.describe()}). */
    default void onPrivacy(io.ringfold.dpsgd.DpSgdPlan plan) {
    }

    /** Pipeline training: what each worker (stage and replica) did during epoch {@code epoch} (1-based). */
    default void onStageTelemetry(int epoch, java.util.List<StageTelemetry> workers) {
    }
}
