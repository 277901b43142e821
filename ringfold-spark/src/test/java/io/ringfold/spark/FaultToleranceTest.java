package io.ringfold.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task killed mid-training fails the barrier stage; Spark resubmits it, the new attempt forms a new
 * ring (fresh all-gather) and resumes from the last checkpoint, and the parameters are bit-identical to
 * an uninterrupted run. Needs a master that allows task retries: {@link SparkTestSession#MASTER}.
 */
class FaultToleranceTest {

    @TempDir
    Path dir;

    @Test
    void aRetriedBarrierStageResumesFromTheCheckpointWithIdenticalParameters() throws Exception {
        SparkTestSession.get();
        Dataset<Row> data = SparkDeterminismTest.frameOf(TestData.writeCsv(dir, 120, 9));
        // Mini-batches (solver adam): the full-batch solvers write no checkpoints.
        RingfoldClassifier c = new RingfoldClassifier().setModelType("softmax").setSolver("adam").setEpochs(4)
                .setBatchSize(16).setLearningRate(0.05).setSeed(3).setNumShards(4).setNumWorkers(2)
                .setCollectiveTimeout(20);
        String uninterrupted = c.fit(data).parameterDigest();

        Path checkpoints = dir.resolve("checkpoints");
        RingfoldClassificationModel retried = c.setCheckpointDir(checkpoints.toString())
                .failFirstAttemptAfterEpochForTesting(2).fit(data);
        assertThat(retried.parameterDigest()).isEqualTo(uninterrupted);
        // The second attempt resumed after epoch 1 (rank 0 failed in epoch 2, before its checkpoint): it ran
        // epochs 2 to 4 itself, and the history still has all four.
        assertThat(retried.fitAttempt()).isEqualTo(1);
        assertThat(retried.epochsInFitAttempt()).isEqualTo(3);
        assertThat(retried.trainingHistory()).hasSize(4);
        assertThat(Files.exists(checkpoints.resolve(io.ringfold.parallel.CheckpointPolicy.FILE_NAME))).isTrue();
    }
}
