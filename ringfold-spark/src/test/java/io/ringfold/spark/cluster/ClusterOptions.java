package io.ringfold.spark.cluster;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Shape of a {@link StandaloneCluster}: {@code workers} Worker JVMs of {@code coresPerWorker} cores and
 * {@code memoryPerWorkerMb} MB each (one executor per Worker takes all of it), the failure settings its
 * sessions use, where its logs go, and how long start-up may take.
 *
 * @param workers           Worker JVMs, each running one executor; 1 to 16
 * @param coresPerWorker    cores each Worker offers, which is also task slots per executor; 1 to 64
 * @param memoryPerWorkerMb executor heap in MB; at least 512, since Spark refuses executors under 450 MB
 *                          of usable memory
 * @param taskMaxFailures   {@code spark.task.maxFailures}: failures of one task before the job fails; >= 1
 * @param stageMaxAttempts  {@code spark.stage.maxConsecutiveAttempts}: a barrier stage is retried as a
 *                          whole after any task fails, this many attempts in all; >= 1
 * @param baseDirectory     parent of the cluster's own directory (logs, Spark home, work dirs)
 * @param startTimeout      how long the Master, the Workers and a session's executors may take to start
 */
public record ClusterOptions(int workers, int coresPerWorker, int memoryPerWorkerMb, int taskMaxFailures,
                             int stageMaxAttempts, Path baseDirectory, Duration startTimeout) {

    public ClusterOptions {
        requireRange("workers", workers, 1, 16);
        requireRange("coresPerWorker", coresPerWorker, 1, 64);
        requireRange("memoryPerWorkerMb", memoryPerWorkerMb, 512, 1 << 20);
        requireRange("taskMaxFailures", taskMaxFailures, 1, 100);
        requireRange("stageMaxAttempts", stageMaxAttempts, 1, 100);
        if (baseDirectory == null) {
            throw new IllegalArgumentException("baseDirectory: null (expected: a directory path)");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout: " + startTimeout + " (expected: > 0)");
        }
    }

    /**
     * Two Workers of one core and 512 MB (this project's CI machines have two cores), Spark's default
     * failure settings (4 task failures, 4 stage attempts), logs under {@code target/spark-cluster}, 90 s
     * to start (JVMs start slowly on a loaded two-core machine).
     */
    public static ClusterOptions defaults() {
        return new ClusterOptions(2, 1, 512, 4, 4, Path.of("target", "spark-cluster"), Duration.ofSeconds(90));
    }

    public ClusterOptions withWorkers(int value) {
        return new ClusterOptions(value, coresPerWorker, memoryPerWorkerMb, taskMaxFailures, stageMaxAttempts,
                baseDirectory, startTimeout);
    }

    public ClusterOptions withCoresPerWorker(int value) {
        return new ClusterOptions(workers, value, memoryPerWorkerMb, taskMaxFailures, stageMaxAttempts,
                baseDirectory, startTimeout);
    }

    public ClusterOptions withMemoryPerWorkerMb(int value) {
        return new ClusterOptions(workers, coresPerWorker, value, taskMaxFailures, stageMaxAttempts,
                baseDirectory, startTimeout);
    }

    public ClusterOptions withFailures(int taskMaxFailuresValue, int stageMaxAttemptsValue) {
        return new ClusterOptions(workers, coresPerWorker, memoryPerWorkerMb, taskMaxFailuresValue,
                stageMaxAttemptsValue, baseDirectory, startTimeout);
    }

    public ClusterOptions withBaseDirectory(Path value) {
        return new ClusterOptions(workers, coresPerWorker, memoryPerWorkerMb, taskMaxFailures, stageMaxAttempts,
                value, startTimeout);
    }

    public ClusterOptions withStartTimeout(Duration value) {
        return new ClusterOptions(workers, coresPerWorker, memoryPerWorkerMb, taskMaxFailures, stageMaxAttempts,
                baseDirectory, value);
    }

    /** Task slots in the whole cluster: {@code workers * coresPerWorker}. */
    public int totalCores() {
        return workers * coresPerWorker;
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }
}
