package io.ringfold.spark;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Params, schema and input checks: each fails naming the thing, the value and the expectation, before training. */
class RingfoldParamsTest {

    static SparkSession spark;

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
    }

    private static Dataset<Row> frame(List<Row> rows) {
        StructType schema = new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    private static List<Row> rows(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(Vectors.dense(i, -i), (double) (i % 2)));
        }
        return rows;
    }

    private static RingfoldClassifier small() {
        return new RingfoldClassifier().setModelType("softmax").setNumShards(2).setNumWorkers(2).setBatchSize(4)
                .setEpochs(1);
    }

    @Test
    void settersRejectOutOfRangeValuesNamingParamValueAndRange() {
        RingfoldClassifier c = new RingfoldClassifier();
        assertThatThrownBy(() -> c.setLearningRate(-0.1)).hasMessage("learningRate: -0.1 (expected: > 0)");
        assertThatThrownBy(() -> c.setEpochs(0)).hasMessage("epochs: 0 (expected: > 0)");
        assertThatThrownBy(() -> c.setModelType("linear"))
                .hasMessage("modelType: linear (expected: one of [logistic, mlp, softmax])");
        assertThatThrownBy(() -> new RingfoldRegressor().setModelType("softmax"))
                .hasMessage("modelType: softmax (expected: one of [linear, mlp])");
        assertThatThrownBy(() -> c.setHiddenLayers(16, 0)).hasMessage("hiddenLayers: [16, 0] (expected: every width > 0)");
        assertThatThrownBy(() -> c.setMomentum(1.0)).hasMessage("momentum: 1.0 (expected: 0 < momentum < 1)");
        assertThatThrownBy(() -> c.setLrSchedule("linear"))
                .hasMessage("lrSchedule: linear (expected: constant, step or cosine)");
        assertThatThrownBy(() -> c.setLrGamma(1.5)).hasMessage("lrGamma: 1.5 (expected: 0 < lrGamma <= 1)");
        assertThatThrownBy(() -> c.setLrStepEpochs(0)).hasMessage("lrStepEpochs: 0 (expected: > 0)");
        assertThatThrownBy(() -> c.setActivation("gelu"))
                .hasMessage("activation: gelu (expected: relu, tanh, sigmoid or identity)");
        assertThatThrownBy(() -> c.setLayers("conv2d(20)")).hasMessageStartingWith("layers[0] conv2d: kernel missing");
        assertThatThrownBy(() -> c.setInputShape(1, 0, 28)).hasMessage("inputShape: [1, 0, 28] (expected: positive"
                + " dimensions such as 1x28x28)");
        assertThatThrownBy(() -> c.setBeta2(1.0)).hasMessage("beta2: 1.0 (expected: 0 <= beta2 < 1)");
        // Docs and defaults from the one declaration that ringfold train's flags also use.
        assertThat(c.explainParams()).contains("learningRate: Learning rate (step size). Expected: > 0. (default: 0.001)")
                .contains("layers: The hidden layers of a network");
        assertThat(c.getOrDefault(c.beta2())).isEqualTo(0.999);
    }

    @Test
    void combinationsAndSchemaAreCheckedBeforeAnyJob() {
        Dataset<Row> df = frame(rows(8));
        assertThatThrownBy(() -> small().setModelType("softmax").setHiddenLayers(8).fit(df))
                .hasMessage("hiddenLayers: 8 (expected: no hidden layers for model softmax; use --model mlp)");
        // A network the data's shape cannot feed fails once, not after Spark's retries of the stage.
        assertThatThrownBy(() -> small().setModelType("mlp").setInputShape(1, 1, 2).setLayers("conv2d(4,3)").fit(df))
                .hasMessage("layers[0] conv2d(4,3): input 1x1x2 is smaller than the kernel 3x3");
        assertThatThrownBy(() -> small().setModelType("mlp").setInputShape(1, 2, 2).setLayers("dense(4)").fit(df))
                .hasMessage("inputShape: 1x2x2 (4 values) (expected: as many values as an example has, 2)");
        assertThatThrownBy(() -> small().setNumWorkers(5).setNumShards(6).fit(df))
                .hasMessage("numWorkers: 5 (expected: at most the 4 task slots the cluster has free now; a barrier "
                        + "stage runs all its tasks at once)");
        assertThatThrownBy(() -> small().setNumShards(1).fit(df))
                .hasMessage("numWorkers: 2 (expected: 1..1, at most numShards)");
        assertThatThrownBy(() -> small().setSolver("adam").setBatchSize(1).fit(df))
                .hasMessage("batchSize: 1 (expected: >= numShards, 2, so that every shard contributes to every step)");
        assertThatThrownBy(() -> small().setFeaturesCol("x").fit(df))
                .hasMessage("featuresCol 'x': no such column (expected: one of [features, label])");
        assertThatThrownBy(() -> small().fit(df.withColumn("label", df.col("label").cast("string"))))
                .hasMessageStartingWith("labelCol 'label': type string (expected: a numeric column");
        assertThatThrownBy(() -> small().setFeaturesCol("label").fit(df))
                .hasMessageStartingWith("featuresCol 'label': type double (expected: an org.apache.spark.ml.linalg.Vector");
    }

    @Test
    void badRowsAreReportedByGlobalPositionBeforeTraining() {
        List<Row> nan = rows(8);
        nan.set(5, RowFactory.create(Vectors.dense(1, Double.NaN), 1.0));
        assertThatThrownBy(() -> small().fit(frame(nan)))
                .hasMessage("row 5: feature value NaN at index 1 (expected: finite as float32)");
        // Both paths: one partition per worker (checked inside the barrier stage, from the summaries the
        // tasks all-gather) and any other partitioning (checked by the driver's input pass before the shuffle).
        Dataset<Row> nanFrame = frame(nan);
        assertThat(BarrierFit.uniformWithinStage(nanFrame.repartition(2).toJavaRDD().rdd(), 2)).isTrue();
        assertThat(BarrierFit.uniformWithinStage(nanFrame.repartition(3).toJavaRDD().rdd(), 2)).isFalse();
        for (int partitions : new int[] {2, 3}) {
            List<Row> ordered = nanFrame.repartition(partitions).collectAsList();
            int bad = -1;
            for (int i = 0; i < ordered.size(); i++) {
                if (Double.isNaN(((org.apache.spark.ml.linalg.Vector) ordered.get(i).get(0)).apply(1))) {
                    bad = i;
                }
            }
            assertThatThrownBy(() -> small().fit(nanFrame.repartition(partitions)))
                    .as("%d partitions", partitions)
                    .hasMessage("row " + bad + ": feature value NaN at index 1 (expected: finite as float32)");
        }
        List<Row> label = rows(8);
        label.set(3, RowFactory.create(Vectors.dense(1, 2), -1.0));
        assertThatThrownBy(() -> small().fit(frame(label)))
                .hasMessage("row 3: label -1.0 (expected: a class index 0..K-1)");
        List<Row> size = rows(8);
        size.set(7, RowFactory.create(Vectors.dense(1, 2, 3), 1.0));
        assertThatThrownBy(() -> small().fit(frame(size)))
                .hasMessage("features: vectors of sizes 2 to 3 (expected: one size for every row)");
        assertThatThrownBy(() -> small().fit(frame(rows(1))))
                .hasMessage("numWorkers: 2 (expected: at most the 1 rows of the dataset)");
        assertThatThrownBy(() -> small().setNumWorkers(1).setNumShards(4).fit(frame(rows(3))))
                .hasMessage("dataset: 3 rows (expected: at least numShards, 4, so that no shard and no worker is "
                        + "empty; lower numShards)");
        assertThatThrownBy(() -> small().fit(frame(rows(0))))
                .hasMessage("dataset: 0 rows (expected: at least numShards, 2)");
        List<Row> oneClass = rows(8);
        oneClass.replaceAll(r -> RowFactory.create(r.get(0), 0.0));
        assertThatThrownBy(() -> small().fit(frame(oneClass)))
                .hasMessage("classes: 1 (expected: at least 2; the largest label is 0.0)");
    }

    /** MLlib's names with MLlib's defaults and values; a value MLlib would refuse fails at the setter. */
    @Test
    void mllibParamsHaveMllibsNamesDefaultsAndChecks() {
        RingfoldClassifier c = new RingfoldClassifier();
        assertThat(c.getOrDefault(c.maxIter())).isEqualTo(100);
        assertThat(c.getOrDefault(c.tol())).isEqualTo(1e-6);
        assertThat(c.getOrDefault(c.standardization())).isEqualTo(true);
        assertThat(c.getOrDefault(c.regParam())).isEqualTo(0.0);
        assertThat(c.getOrDefault(c.elasticNetParam())).isEqualTo(0.0);
        assertThat(c.getOrDefault(c.family())).isEqualTo("auto");
        assertThat(c.getOrDefault(c.threshold())).isEqualTo(0.5);
        assertThat(c.isDefined(c.weightCol())).isFalse();
        RingfoldRegressor r = new RingfoldRegressor();
        assertThat(r.getOrDefault(r.modelType())).isEqualTo("linear");
        assertThat(r.hasParam("threshold")).isFalse();
        assertThatThrownBy(() -> c.setRegParam(-1)).hasMessage("regParam: -1.0 (expected: >= 0)");
        assertThatThrownBy(() -> c.setElasticNetParam(1.5))
                .hasMessage("elasticNetParam: 1.5 (expected: 0 <= elasticNetParam <= 1)");
        assertThatThrownBy(() -> c.setFamily("gaussian"))
                .hasMessage("family: gaussian (expected: auto, binomial or multinomial)");
        assertThatThrownBy(() -> c.setSolver("newton"))
                .hasMessage("solver: newton (expected: auto, lbfgs, owlqn, normal, sgd or adam)");
        assertThatThrownBy(() -> c.setThresholds(0, 0)).hasMessage("thresholds: [0.0, 0.0] (expected: values >= 0, at "
                + "most one of them 0)");
        assertThatThrownBy(() -> c.setThreshold(1.5)).hasMessage("threshold: 1.5 (expected: 0 <= threshold <= 1)");
        c.setSolver("l-bfgs").setFamily("Binomial").setThreshold(0.3);
        assertThat(c.isSet(c.threshold())).isTrue();
        c.setThresholds(0.4, 0.6);
        assertThat(c.isSet(c.threshold())).as("setThresholds clears threshold, as MLlib's").isFalse();
        Dataset<Row> df = frame(rows(8));
        assertThatThrownBy(() -> small().setModelType("softmax").setFamily("binomial").fit(df))
                .hasMessage("family: binomial (expected: auto for modelType softmax, or binomial with logistic, "
                        + "multinomial with softmax)");
        assertThatThrownBy(() -> small().setModelType("mlp").setRegParam(0.1).fit(df))
                .hasMessage("regParam: 0.1 (expected: 0 for modelType mlp; a network takes weightDecay)");
        assertThatThrownBy(() -> small().setModelType("mlp").setWeightCol("label").fit(df))
                .hasMessage("weightCol: label (expected: unset for modelType mlp with solver auto; row weights need a "
                        + "linear, logistic or softmax model with solver auto, l-bfgs, owlqn or normal)");
        assertThatThrownBy(() -> small().setWeightCol("none").fit(df))
                .hasMessage("weightCol 'none': no such column (expected: one of [features, label])");
        assertThatThrownBy(() -> small().setModelType("logistic").setThresholds(0.2, 0.3, 0.5).fit(df))
                .hasMessage("thresholds: [0.2, 0.3, 0.5] (expected: 2 values for a binary model)");
    }

    @Test
    void badWeightsAreReportedByGlobalPositionAndThresholdsReachTheModel() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add(RowFactory.create(Vectors.dense(i, -i), (double) (i % 2), i == 5 ? -1.0 : 1.0));
        }
        StructType schema = new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType)
                .add("w", DataTypes.DoubleType);
        Dataset<Row> df = spark.createDataFrame(rows, schema);
        assertThatThrownBy(() -> small().setWeightCol("w").fit(df))
                .hasMessage("row 5: weight -1.0 (expected: finite and >= 0)");
        // Binary: MLlib's thresholds (t0, t1) are the threshold 1 / (1 + t0 / t1) on P(class 1).
        RingfoldClassificationModel m = small().setModelType("logistic").setThresholds(0.4, 0.6).fit(frame(rows(8)));
        assertThat(m.getThreshold()).isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(m.ringfoldModel().provenance().hyperparameters().get("threshold").asDouble())
                .isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(m.setThreshold(0.0).transform(frame(rows(8))).filter("prediction = 1.0").count()).isEqualTo(8);
    }

    @Test
    void sparseInputTrainsAndEmptyInputPartitionsAreHarmless() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(RowFactory.create(Vectors.sparse(5, new int[] {i % 5}, new double[] {1 + i % 3}), (double) (i % 2)));
        }
        // Six partitions for twelve rows after a filter that empties some of them.
        Dataset<Row> df = frame(rows).repartition(6).filter("label >= 0");
        RingfoldClassificationModel m = small().fit(df);
        assertThat(m.numFeatures()).isEqualTo(5);
        assertThat(m.transform(df).count()).isEqualTo(12);
    }
}
