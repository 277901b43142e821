package io.ringfold.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec;
import io.ringfold.nn.LayerList;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.parallel.WorkerThreads;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingRun;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training on Spark gives the same parameter_digest as {@code ringfold train} on the same file with the
 * same seed and shards, for 1 and 2 workers and whatever the input's partitioning. The local side runs
 * the code path of TrainCommand's {@code --workers} branch (TrainingRun with WorkerThreads and the exact
 * DataParallelTrainer), here without the CLI module, which will depend on this one. Its flags:
 * {@code --model mlp --hidden 8 --epochs 3 --batch-size 16 --lr 0.01 --seed 7 --workers 1 --shards 4
 * --no-standardize --test-split 0}.
 */
class SparkDeterminismTest {

    @TempDir
    static Path dir;
    static Path csv;
    static SparkSession spark;

    @BeforeAll
    static void data() throws Exception {
        csv = TestData.writeCsv(dir, 150, 5);
        spark = SparkTestSession.get();
    }

    /** What TrainCommand builds from the flags above: defaults overlaid with the flags given. */
    static TrainingConfig cliConfig(String model, int[] hidden) {
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("model", model);
        var h = n.putArray("hidden");
        for (int w : hidden) {
            h.add(w);
        }
        n.put("epochs", 3).put("batchSize", 16).put("learningRate", 0.01f).put("seed", 7L).put("testSplit", 0.0)
                .put("standardize", false);
        if (model.equals("linear")) {
            n.put("loss", "mse");
        }
        return TrainingConfig.fromJson(n);
    }

    static String cliDigest(Path file, TrainingConfig cfg) throws Exception {
        Blas blas = BlasSelection.createRequested(1);
        DataSpec.LoadedData loaded = DataSpec.parse("csv:" + file).load();
        return TrainingRun.run(loaded, cfg, blas, TrainingListener.NONE, WorkerThreads.fitter(
                new DataParallelTrainer(cfg, blas, 4, true), 1, Duration.ofSeconds(30), CheckpointPolicy.none()))
                .model().parameterDigest();
    }

    static Dataset<Row> frame(Path file) {
        return frameOf(file);
    }

    /** The CSV as a DataFrame with an assembled features vector, rows in file order. */
    static Dataset<Row> frameOf(Path file) {
        Dataset<Row> raw = SparkTestSession.get().read().option("header", true).option("inferSchema", true).csv(file.toString());
        return new VectorAssembler().setInputCols(new String[] {"a", "b", "c", "d"}).setOutputCol("features")
                .transform(raw);
    }

    @Test
    void classifierDigestEqualsTheLocalTrainersForOneAndTwoWorkers() throws Exception {
        String expected = cliDigest(csv, cliConfig("mlp", new int[] {8}));
        RingfoldClassifier c = new RingfoldClassifier().setModelType("mlp").setHiddenLayers(8).setEpochs(3)
                .setBatchSize(16).setLearningRate(0.01).setSeed(7).setNumShards(4);
        RingfoldClassificationModel one = c.copy(new org.apache.spark.ml.param.ParamMap()).setNumWorkers(1)
                .fit(frame(csv));
        assertThat(one.parameterDigest()).isEqualTo(expected);
        assertThat(one.trainingHistory()).hasSize(3);

        // Two workers over an input split into several partitions: shards follow row positions, not partitions.
        spark.conf().set("spark.sql.files.maxPartitionBytes", "1024");
        spark.conf().set("spark.sql.files.openCostInBytes", "0");
        try {
            Dataset<Row> split = frame(csv);
            assertThat(split.rdd().getNumPartitions()).isGreaterThan(2);
            RingfoldClassificationModel two = c.setNumWorkers(2).fit(split);
            assertThat(two.parameterDigest()).isEqualTo(expected);
        } finally {
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
            spark.conf().unset("spark.sql.files.openCostInBytes");
        }
    }

    @Test
    void aLearningRateScheduleReachesTheTrainerAsTheCommandLinesDoes() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode n = cliConfig("mlp", new int[] {8}).toJson();
        n.put("lrSchedule", "step").put("lrStepEpochs", 1).put("lrGamma", 0.5f);
        String expected = cliDigest(csv, TrainingConfig.fromJson(n));
        RingfoldClassificationModel m = new RingfoldClassifier().setModelType("mlp").setHiddenLayers(8).setEpochs(3)
                .setBatchSize(16).setLearningRate(0.01).setSeed(7).setNumShards(4).setNumWorkers(2)
                .setLrSchedule("step").setLrStepEpochs(1).setLrGamma(0.5).fit(frame(csv));
        assertThat(m.parameterDigest()).isEqualTo(expected)
                .isNotEqualTo(cliDigest(csv, cliConfig("mlp", new int[] {8})));
        assertThat(m.trainingHistory().get(2).learningRate()).isCloseTo(0.0025f, org.assertj.core.api.Assertions.within(1e-9f));
    }

    /**
     * A network of layers on Spark: the features vector of 4 values as a 1x2x2 image, a convolution, batch
     * normalisation (statistics per logical shard) and dropout (masks from seed, step and example); the digest of
     * {@code ringfold train --layers ... --input-shape 1x2x2 --workers 1} for one and two barrier tasks.
     */
    @Test
    void aNetworkOfLayersGivesTheLocalTrainersDigest() throws Exception {
        String layers = "conv2d(3,2,padding=1),batchnorm,relu,maxpool2d(2),flatten,dropout(0.2),dense(8),relu";
        ObjectNode n = cliConfig("mlp", new int[] {8}).toJson();
        n.putArray("hidden");
        n.set("layers", Hyperparameters.LAYERS.toJson(LayerList.parse(layers)));
        n.putArray("inputShape").add(1).add(2).add(2);
        TrainingConfig cfg = TrainingConfig.fromJson(n);
        String expected = cliDigest(csv, cfg);
        for (int workers : new int[] {1, 2}) {
            RingfoldClassificationModel m = new RingfoldClassifier().setModelType("mlp").setLayers(layers)
                    .setInputShape(1, 2, 2).setEpochs(3).setBatchSize(16).setLearningRate(0.01).setSeed(7)
                    .setNumShards(4).setNumWorkers(workers).fit(frame(csv));
            assertThat(m.parameterDigest()).as("%d workers", workers).isEqualTo(expected);
        }
    }

    @Test
    void regressorDigestEqualsTheLocalTrainers() throws Exception {
        String expected = cliDigest(csv, cliConfig("linear", new int[0]));
        RingfoldRegressionModel m = new RingfoldRegressor().setModelType("linear").setEpochs(3).setBatchSize(16)
                .setLearningRate(0.01).setSeed(7).setNumShards(4).setNumWorkers(2).fit(frame(csv));
        assertThat(m.parameterDigest()).isEqualTo(expected);
    }
}
