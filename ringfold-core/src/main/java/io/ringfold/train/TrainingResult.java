package io.ringfold.train;

import io.ringfold.solve.SolverReport;

import java.util.List;

/**
 * Outcome of a {@link Fitter}: the final parameters (the best epoch's when early stopping restored
 * them), per-epoch metrics, and timing. {@code trainSeconds} counts the optimisation steps only, not
 * validation, so that samples per second compare with other frameworks' training loops. Data-parallel
 * training adds the number of workers, the logical shard count and per-rank telemetry (pipelines: per stage
 * and epoch too, {@code stages}); single-process
 * training has one worker, no shards (0) and no telemetry.
 */
public record TrainingResult(float[] parameters, List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly,
                             double trainSeconds, long samplesSeen, int workers, int shards,
                             List<RankTelemetry> telemetry, SolverReport solver, List<StageTelemetry> stages) {

    public TrainingResult {
        parameters = parameters.clone();
        epochs = List.copyOf(epochs);
        telemetry = List.copyOf(telemetry);
        stages = List.copyOf(stages);
    }

    /** A result without pipeline stages. */
    public TrainingResult(float[] parameters, List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly,
                          double trainSeconds, long samplesSeen, int workers, int shards,
                          List<RankTelemetry> telemetry, SolverReport solver) {
        this(parameters, epochs, bestEpoch, stoppedEarly, trainSeconds, samplesSeen, workers, shards, telemetry, solver,
                List.of());
    }

    /** A result of mini-batch training (no full-batch solver report). */
    public TrainingResult(float[] parameters, List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly,
                          double trainSeconds, long samplesSeen, int workers, int shards,
                          List<RankTelemetry> telemetry) {
        this(parameters, epochs, bestEpoch, stoppedEarly, trainSeconds, samplesSeen, workers, shards, telemetry, null);
    }

    /** This result with other parameters (a transformation folded into them), the rest kept. */
    public TrainingResult withParameters(float[] p) {
        return new TrainingResult(p, epochs, bestEpoch, stoppedEarly, trainSeconds, samplesSeen, workers, shards,
                telemetry, solver, stages);
    }

    /** A single-process result. */
    public TrainingResult(float[] parameters, List<EpochMetrics> epochs, int bestEpoch, boolean stoppedEarly,
                          double trainSeconds, long samplesSeen) {
        this(parameters, epochs, bestEpoch, stoppedEarly, trainSeconds, samplesSeen, 1, 0, List.of());
    }

    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    public double samplesPerSecond() {
        return trainSeconds > 0 ? samplesSeen / trainSeconds : 0;
    }
}
