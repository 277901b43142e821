package io.ringfold.spark;

import java.io.Serializable;

/**
 * What one barrier task hands back to the driver: from rank 0 the trained parameters, the training
 * history (JSON lines of EpochMetrics, resumed epochs included) and the BLAS it used; from the others nothing; from any rank
 * that met a deterministic error (bad data, divergence) the message, so the driver fails the fit at
 * once instead of Spark retrying a stage that would fail the same way.
 */
final class TaskOutcome implements Serializable {

    private static final long serialVersionUID = 1L;

    final int rank;
    final float[] parameters;
    final String history;
    final String blas;
    final String error;
    /** The stage attempt that produced this outcome (0 = first) and the epochs it ran itself. */
    final int attempt;
    final int epochsRun;
    /** Rank 0's optimisation time and rows seen; every rank's telemetry as rank,compute,wait,bytes lines. */
    double trainSeconds;
    long samplesSeen;
    String telemetry;
    /** Rank 0's layout of the input: rows, feature width and classes (0 for regression). */
    int rows;
    int width;
    int classes;

    TaskOutcome(int rank, float[] parameters, String history, String blas, String error, int attempt, int epochsRun) {
        this.rank = rank;
        this.parameters = parameters;
        this.history = history;
        this.blas = blas;
        this.error = error;
        this.attempt = attempt;
        this.epochsRun = epochsRun;
    }

    static TaskOutcome empty(int rank, int attempt) {
        return new TaskOutcome(rank, null, null, null, null, attempt, 0);
    }

    static TaskOutcome failed(int rank, int attempt, String error) {
        return new TaskOutcome(rank, null, null, null, "worker " + rank + ": " + error, attempt, 0);
    }

    /** Bad input found from the all-gathered summaries: every task reports the same message, as is. */
    static TaskOutcome badInput(int rank, int attempt, String error) {
        return new TaskOutcome(rank, null, null, null, error, attempt, 0);
    }
}
