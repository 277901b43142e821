package io.ringfold.spark.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec;
import io.ringfold.model.Model;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.parallel.WorkerThreads;
import io.ringfold.spark.FitAttempts;
import io.ringfold.spark.RingfoldClassificationModel;
import io.ringfold.spark.RingfoldClassifier;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingRun;
import org.apache.spark.SparkEnv;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The estimators on a real multi-process Spark cluster ({@link StandaloneCluster}: a Master and two
 * Workers of one core each, every executor a JVM of its own): a two-worker fit whose ranks run on two
 * executor JVMs has the digest of local training in this JVM and of a one-worker fit; scoring and ML
 * save/load run on the executors; and a SIGKILLed executor mid-training makes Spark retry the barrier
 * stage, which resumes from the checkpoint to the uninterrupted parameters.
 *
 * <p>Data: the first {@value #ROWS} rows of the bundled digits (64 features, integers 0..16, exact in
 * float and double alike), in order. Expected digests come from the local data-parallel path, as
 * {@code ringfold train --data digits --model mlp ... --workers 1 --shards 4 --no-standardize
 * --test-split 0} runs it (TrainingRun, WorkerThreads, exact DataParallelTrainer), not from Spark.
 */
@Tag("cluster")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RingfoldOnClusterTest {

    static final int ROWS = 600;
    static final int SHARDS = 4;

    @RegisterExtension
    static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(ClusterOptions.defaults());

    static DataSpec.LoadedData digits;
    static Dataset<Row> frame;

    @BeforeAll
    static void data() {
        io.ringfold.data.Dataset all = DataSpec.parse("digits").load().train();
        int[] first = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            first[i] = i;
        }
        digits = new DataSpec.LoadedData(all.subset(first), Optional.empty());
        frame = frameOf(CLUSTER.session(), digits.train());
    }

    /** Rows in data-set order as (features: dense ml Vector, label: double); floats widen exactly. */
    static Dataset<Row> frameOf(SparkSession spark, io.ringfold.data.Dataset data) {
        if (!(data.features() instanceof FloatMatrix x)) {
            throw new IllegalStateException("digits features: " + data.features().getClass().getSimpleName()
                    + " (expected: a dense FloatMatrix)");
        }
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            double[] v = new double[x.cols()];
            for (int j = 0; j < v.length; j++) {
                v[j] = x.get(i, j);
            }
            rows.add(RowFactory.create(Vectors.dense(v), (double) data.label(i)));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType(), false)
                .add("label", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** What {@code ringfold train --model mlp --hidden H --epochs E --batch-size B --lr LR --seed S} builds. */
    static TrainingConfig cliConfig(int hidden, int epochs, int batchSize, float learningRate, long seed) {
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("model", "mlp");
        n.putArray("hidden").add(hidden);
        n.put("epochs", epochs).put("batchSize", batchSize).put("learningRate", learningRate).put("seed", seed)
                .put("testSplit", 0.0).put("standardize", false);
        return TrainingConfig.fromJson(n);
    }

    /** The digest of local data-parallel training in this JVM (one worker thread: same bits as any count). */
    static String localDigest(TrainingConfig config) {
        Blas blas = BlasSelection.createRequested(1);
        return TrainingRun.run(digits, config, blas, TrainingListener.NONE, WorkerThreads.fitter(
                        new DataParallelTrainer(config, blas, SHARDS, true), 1, Duration.ofSeconds(30),
                        CheckpointPolicy.none()))
                .model().parameterDigest();
    }

    static RingfoldClassifier classifier(int hidden, int epochs, int batchSize, double learningRate, long seed) {
        return new RingfoldClassifier().setModelType("mlp").setHiddenLayers(hidden).setEpochs(epochs)
                .setBatchSize(batchSize).setLearningRate(learningRate).setSeed(seed).setNumShards(SHARDS);
    }

    /** The small fit of the first two tests, on the cluster with two workers, recorded by a listener. */
    static RingfoldClassificationModel twoWorkers;
    static BarrierTaskLog twoWorkerTasks;

    static synchronized RingfoldClassificationModel twoWorkerFit() throws Exception {
        if (twoWorkers == null) {
            SparkSession spark = CLUSTER.session();
            twoWorkerTasks = new BarrierTaskLog();
            spark.sparkContext().addSparkListener(twoWorkerTasks);
            try {
                twoWorkers = classifier(16, 3, 32, 0.01, 11).setNumWorkers(2).fit(frame);
                spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
            } finally {
                spark.sparkContext().removeSparkListener(twoWorkerTasks);
            }
        }
        return twoWorkers;
    }

    @Test
    @Order(1)
    void twoExecutorFitHasTheDigestOfLocalTrainingAndOfOneWorker() throws Exception {
        RingfoldClassificationModel two = twoWorkerFit();
        assertThat(twoWorkerTasks.executors(0)).as("executors of the barrier stage's two ranks")
                .hasSize(2).doesNotContain("driver");
        assertThat(FitAttempts.attempt(two)).isZero();

        String local = localDigest(cliConfig(16, 3, 32, 0.01f, 11));
        assertThat(two.parameterDigest()).as("cluster, 2 workers vs local").isEqualTo(local);
        assertThat(two.trainingHistory()).hasSize(3);

        RingfoldClassificationModel one = classifier(16, 3, 32, 0.01, 11).setNumWorkers(1).fit(frame);
        assertThat(one.parameterDigest()).as("cluster, 1 worker vs local").isEqualTo(local);
    }

    @Test
    @Order(2)
    void executorsScoreLikeCoreAndSaveAndLoadOnTheCluster(@TempDir Path dir) throws Exception {
        RingfoldClassificationModel model = twoWorkerFit();
        Dataset<Row> scored = model.transform(frame);
        assertThat(scored.rdd().getNumPartitions()).isEqualTo(frame.rdd().getNumPartitions()).isGreaterThan(1);
        assertScoresLikeCore(scored, model.ringfoldModel());

        // Metadata is written by a task on an executor, the model file by the driver; all on this machine.
        String path = dir.resolve("ml-model").toUri().toString();
        model.write().save(path);
        RingfoldClassificationModel loaded = RingfoldClassificationModel.load(path);
        assertThat(loaded.parameterDigest()).isEqualTo(model.parameterDigest());
        assertScoresLikeCore(loaded.transform(frame), model.ringfoldModel());
    }

    /** Every row's probabilities and predicted class equal core's for that row's features. */
    static void assertScoresLikeCore(Dataset<Row> scored, Model core) {
        List<Row> rows = scored.select("features", "probability", "prediction").collectAsList();
        assertThat(rows).hasSize(ROWS);
        float[][] x = new float[rows.size()][];
        for (int i = 0; i < x.length; i++) {
            double[] v = ((Vector) rows.get(i).get(0)).toArray();
            x[i] = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                x[i][j] = (float) v[j];
            }
        }
        FloatMatrix expected = core.predictRaw(BlasSelection.createRequested(1), x);
        int[] classes = core.predictedClasses(expected);
        for (int i = 0; i < x.length; i++) {
            double[] p = ((Vector) rows.get(i).get(1)).toArray();
            assertThat(p).hasSize(10);
            for (int k = 0; k < p.length; k++) {
                assertThat((float) p[k]).as("row %d class %d", i, k).isEqualTo(expected.get(i, k));
            }
            assertThat(rows.get(i).getDouble(2)).as("row %d prediction", i).isEqualTo(classes[i]);
        }
    }

    /**
     * Rank 0's executor is SIGKILLed once the first checkpoint exists. Its peer's collective fails (closed
     * connection, at the latest the 10 s collective deadline), the stage attempt fails, and Spark resubmits
     * it (re-running the lost shuffle output first) on the survivor and the Worker's replacement executor;
     * the new ring resumes from the checkpoint. Runs last: the other tests need no replacement executor.
     */
    @Test
    @Order(3)
    void killedExecutorMidTrainingRetriesTheStageAndResumesToTheUninterruptedDigest(@TempDir Path dir)
            throws Exception {
        SparkSession spark = CLUSTER.session();
        StandaloneCluster cluster = CLUSTER.cluster();
        int epochs = 40;
        String uninterrupted = localDigest(cliConfig(32, epochs, 16, 0.002f, 5));

        Map<String, Long> pidOfExecutor = new HashMap<>();
        for (String line : BarrierJob.run(spark, 2, ctx -> SparkEnv.get().executorId() + "="
                + ProcessHandle.current().pid())) {
            String[] f = line.split("=");
            pidOfExecutor.put(f[0], Long.parseLong(f[1]));
        }
        assertThat(pidOfExecutor.values()).containsExactlyInAnyOrderElementsOf(cluster.executorPids());

        Path checkpoints = dir.resolve("checkpoints");
        Path checkpoint = checkpoints.resolve(CheckpointPolicy.FILE_NAME);
        RingfoldClassifier estimator = classifier(32, epochs, 16, 0.002, 5).setNumWorkers(2)
                .setCheckpointDir(checkpoints.toString()).setCollectiveTimeout(10);
        BarrierTaskLog tasks = new BarrierTaskLog();
        spark.sparkContext().addSparkListener(tasks);
        try {
            long started = System.nanoTime();
            CompletableFuture<RingfoldClassificationModel> fit = CompletableFuture.supplyAsync(
                    () -> estimator.fit(frame));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(checkpoint) && !fit.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(fit).as("the fit after its first checkpoint (%s)", checkpoint).isNotDone();
            assertThat(checkpoint).exists();
            String rank0 = tasks.awaitExecutor(0, 0, Duration.ofSeconds(10));
            long victim = pidOfExecutor.get(rank0);
            long killedAt = System.nanoTime();
            cluster.killExecutor(victim);

            RingfoldClassificationModel model = fit.get(90, TimeUnit.SECONDS);
            long done = System.nanoTime();
            spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
            System.out.printf("cluster kill test: first checkpoint after %.1f s, fit done %.1f s after the kill,"
                    + " attempt %d ran %d of %d epochs%n", (killedAt - started) / 1e9, (done - killedAt) / 1e9,
                    FitAttempts.attempt(model), FitAttempts.epochsInAttempt(model), epochs);

            assertThat(model.parameterDigest()).as("resumed fit vs uninterrupted local training")
                    .isEqualTo(uninterrupted);
            int attempt = FitAttempts.attempt(model);
            assertThat(attempt).as("barrier stage attempt of the result").isPositive();
            assertThat(FitAttempts.epochsInAttempt(model)).as("epochs the final attempt ran itself")
                    .isPositive().isLessThan(epochs);
            assertThat(model.trainingHistory()).hasSize(epochs);
            assertThat(tasks.executors(attempt)).as("executors of the final attempt").hasSize(2)
                    .doesNotContain(rank0);
            assertThat(tasks.ended()).as("rank 0 of attempt 0 lost with its executor")
                    .anyMatch(t -> t.attempt() == 0 && t.partition() == 0 && t.end().contains("ExecutorLostFailure"));
            assertThat(cluster.executorPids()).hasSize(2).doesNotContain(victim);
        } finally {
            spark.sparkContext().removeSparkListener(tasks);
        }
    }
}
