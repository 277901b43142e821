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
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training on Spark gives the same parameter_digest as {@code ringfold train} on the same file with the
 * same seed and shards, for 1 and 2 workers and whatever the input's partitioning. The local side runs
 * the code path of TrainCommand's {@code --workers} branch (TrainingRun with WorkerThreads and the exact
 * DataParallelTrainer), here without the CLI module, which will depend on this one. Its flags:
 * {@code --model mlp --hidden 8 --epochs 3 --batch-size 16 --lr 0.01 --seed 7 --workers 1 --shards 4
 * --no-standardize --test-split 0}.
 *
 * <p>The full-batch solvers too (L-BFGS, OWL-QN, the normal equations), for 1 to 4 barrier tasks: with
 * {@code standardization} false and no penalty, the command line's digest (the regression target standardised and
 * folded back on both sides); with MLlib's settings (standardization, regParam, elasticNetParam, weightCol,
 * classWeight) one digest for every worker count and both ways rows reach the tasks; with row weights, the
 * parameters of core's {@code Trainer} given the same weights.
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

    /** A full-batch fit of the command line: the flags of cliConfig plus {@code --solver S --l2 0}. */
    static TrainingConfig fullBatchConfig(String model, String solver) {
        ObjectNode n = cliConfig(model, new int[0]).toJson();
        n.put("solver", solver).put("l2", 0.0);
        return TrainingConfig.fromJson(n);
    }

    @Test
    void fullBatchSolversGiveTheCommandLinesDigestForOneToFourWorkers() throws Exception {
        Path binary = TestData.writeCsv(dir, "binary.csv", 150, 5, 2, false);
        record Case(String name, Path file, TrainingConfig cli, RingfoldEstimator<?, ?> spark) {
        }
        List<Case> cases = List.of(
                new Case("softmax lbfgs", csv, fullBatchConfig("softmax", "lbfgs"),
                        new RingfoldClassifier().setFamily("multinomial").setSolver("l-bfgs")),
                new Case("logistic lbfgs", binary, fullBatchConfig("logistic", "lbfgs"),
                        new RingfoldClassifier().setFamily("binomial")),
                new Case("linear normal", csv, fullBatchConfig("linear", "normal"),
                        new RingfoldRegressor().setSolver("normal")),
                new Case("linear lbfgs", csv, fullBatchConfig("linear", "lbfgs"),
                        new RingfoldRegressor().setSolver("lbfgs")));
        for (Case c : cases) {
            String expected = cliDigest(c.file(), c.cli());
            for (int workers = 1; workers <= 4; workers++) {
                RingfoldEstimator<?, ?> e = c.spark();
                RingfoldModel<?> m = (RingfoldModel<?>) e.fit(frame(c.file()), new org.apache.spark.ml.param.ParamMap()
                        .put(e.standardization(), false).put(e.numShards(), 4).put(e.numWorkers(), workers));
                assertThat(m.parameterDigest()).as("%s, %d workers", c.name(), workers).isEqualTo(expected);
            }
        }
    }

    @Test
    void mllibSettingsGiveOneDigestForOneToFourWorkersAndBothInputPaths() throws Exception {
        Dataset<Row> data = frame(TestData.writeCsv(dir, "weighted.csv", 150, 5, 3, true));
        List<Row> rows = data.collectAsList();
        RingfoldClassifier classifier = new RingfoldClassifier().setRegParam(0.05).setElasticNetParam(0.5)
                .setClassWeight("balanced").setNumShards(4);
        RingfoldRegressor regressor = new RingfoldRegressor().setRegParam(0.1).setElasticNetParam(0.3)
                .setWeightCol("w").setNumShards(4);
        Set<String> classifierDigests = new java.util.TreeSet<>();
        Set<String> regressorDigests = new java.util.TreeSet<>();
        for (int workers = 1; workers <= 4; workers++) {
            // The rows in file order, in one input partition per worker (the tasks exchange rows) and in five (a
            // shuffle routes them).
            Dataset<Row> perWorker = inOrder(rows, data.schema(), workers);
            Dataset<Row> five = inOrder(rows, data.schema(), 5);
            assertThat(BarrierFit.uniformWithinStage(perWorker.queryExecution().toRdd(), workers)).isTrue();
            classifierDigests.add(classifier.setNumWorkers(workers).fit(perWorker).parameterDigest());
            classifierDigests.add(classifier.setNumWorkers(workers).fit(five).parameterDigest());
            regressorDigests.add(regressor.setNumWorkers(workers).fit(perWorker).parameterDigest());
        }
        assertThat(classifierDigests).hasSize(1);
        assertThat(regressorDigests).hasSize(1);
    }

    /** {@code rows} in their order, split into {@code partitions} consecutive slices. */
    private static Dataset<Row> inOrder(List<Row> rows, org.apache.spark.sql.types.StructType schema, int partitions) {
        return spark.createDataFrame(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, partitions), schema);
    }

    /**
     * Row weights (and balanced class weights on top) reach the solver as core's single-process Trainer takes
     * them, whose 8 blocks of rows are 8 logical shards: the same parameters, bit for bit. The regressor's
     * target is scaled and folded as TrainingRun does.
     */
    @Test
    void weightedFitsEqualCoresTrainerWithTheSameWeights() throws Exception {
        Path plain = TestData.writeCsv(dir, "plain2.csv", 150, 8, 2, false);
        Path weighted = TestData.writeCsv(dir, "weighted2.csv", 150, 8, 2, true);
        Blas blas = BlasSelection.createRequested(1);
        io.ringfold.data.Dataset raw = DataSpec.parse("csv:" + plain).load().train();
        io.ringfold.tensor.Matrix x = io.ringfold.data.Preprocessor.fit(raw, false).apply(raw).features();
        float[] y = raw.labels();
        float[] w = new float[y.length];
        List<Row> rows = frame(weighted).select("w").collectAsList();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rows.get(i).getDouble(0);
        }
        ObjectNode n = fullBatchConfig("logistic", "auto").toJson();
        n.put("l2", 0.01).put("classWeight", "balanced");
        TrainingConfig logistic = TrainingConfig.fromJson(n);
        io.ringfold.nn.Network net = TrainingRun.network(logistic, io.ringfold.nn.Shape.vector(4), 2);
        float[] expected = new io.ringfold.train.Trainer(logistic, blas).fit(net, x, y,
                io.ringfold.train.RowWeights.of(logistic, 2, y, w), null, null, TrainingListener.NONE).parameters();
        TrainingConfig linear = fullBatchConfig("linear", "auto");
        io.ringfold.nn.Network linearNet = TrainingRun.network(linear, io.ringfold.nn.Shape.vector(4), 0);
        io.ringfold.train.TargetScaling scaling = io.ringfold.train.TargetScaling.fit(y, w);
        float[] expectedLinear = scaling.fold(linearNet, new io.ringfold.train.Trainer(linear, blas).fit(linearNet, x,
                scaling.apply(y), w, null, null, TrainingListener.NONE).parameters());
        for (int workers : new int[] {1, 3}) {
            RingfoldClassificationModel c = new RingfoldClassifier().setStandardization(false).setRegParam(0.01)
                    .setClassWeight("balanced").setWeightCol("w").setNumShards(8).setNumWorkers(workers)
                    .fit(frame(weighted));
            assertThat(c.ringfoldModel().parameters()).as("logistic, %d workers", workers).containsExactly(expected);
            RingfoldRegressionModel r = new RingfoldRegressor().setStandardization(false).setWeightCol("w")
                    .setNumShards(8).setNumWorkers(workers).fit(frame(weighted));
            assertThat(r.ringfoldModel().parameters()).as("linear, %d workers", workers)
                    .containsExactly(expectedLinear);
        }
    }

    @Test
    void regressorDigestEqualsTheLocalTrainers() throws Exception {
        String expected = cliDigest(csv, cliConfig("linear", new int[0]));
        RingfoldRegressionModel m = new RingfoldRegressor().setModelType("linear").setStandardization(false)
                .setEpochs(3).setBatchSize(16).setLearningRate(0.01).setSeed(7).setNumShards(4).setNumWorkers(2)
                .fit(frame(csv));
        assertThat(m.parameterDigest()).isEqualTo(expected);
    }
}
