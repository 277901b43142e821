package io.ringfold.spark;

import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Scoring on the executors, Spark ML save and load, and export into a serving repository. Expected
 * outputs come from core's {@link Model#predictRaw}, the path {@code ringfold serve} and
 * {@code ringfold predict} use, not from the scoring code under test.
 */
class RingfoldModelTest {

    @TempDir
    static Path dir;
    static Dataset<Row> data;
    static RingfoldClassificationModel softmax;

    @BeforeAll
    static void fit() throws Exception {
        data = SparkDeterminismTest.frameOf(TestData.writeCsv(dir, 90, 21)).cache();
        softmax = new RingfoldClassifier().setModelType("softmax").setEpochs(2).setBatchSize(16).setNumShards(2)
                .setNumWorkers(2).setLearningRate(0.05).fit(data);
    }

    /** Outputs of core's model for the features column, row by row. */
    private static FloatMatrix expected(Model m, List<Row> rows) {
        float[][] x = new float[rows.size()][];
        for (int i = 0; i < x.length; i++) {
            double[] v = ((Vector) rows.get(i).getAs("features")).toArray();
            x[i] = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                x[i][j] = (float) v[j];
            }
        }
        return m.predictRaw(BlasSelection.createRequested(1), x);
    }

    private static void assertScores(Dataset<Row> scored, Model m) {
        List<Row> rows = scored.collectAsList();
        FloatMatrix p = expected(m, rows);
        int[] classes = m.predictedClasses(p);
        for (int i = 0; i < rows.size(); i++) {
            double[] prob = ((Vector) rows.get(i).getAs("probability")).toArray();
            for (int k = 0; k < prob.length; k++) {
                assertThat((float) prob[k]).as("row %d class %d", i, k).isEqualTo(p.get(i, k));
            }
            assertThat((double) rows.get(i).<Double>getAs("prediction")).isEqualTo(classes[i]);
            assertThat(((Vector) rows.get(i).getAs("rawPrediction")).size()).isEqualTo(3);
        }
    }

    @Test
    void transformAppendsMllibColumnsThatEqualCorePredictions() {
        Dataset<Row> scored = softmax.transform(data);
        assertThat(scored.columns()).endsWith("rawPrediction", "probability", "prediction");
        assertThat(softmax.numClasses()).isEqualTo(3);
        assertScores(scored, softmax.ringfoldModel());
        // A column set to '' is not written.
        assertThat(softmax.copy(new org.apache.spark.ml.param.ParamMap()).setRawPredictionCol("").transform(data)
                .columns()).doesNotContain("rawPrediction");
        // MLlib's per-class thresholds: argmax p_k / t_k, a zero threshold winning wherever its probability is > 0.
        assertThat(softmax.copy(new org.apache.spark.ml.param.ParamMap()).setThresholds(1, 1, 0).transform(data)
                .filter("prediction = 2.0").count()).isEqualTo(data.count());
        assertThatThrownBy(() -> softmax.copy(new org.apache.spark.ml.param.ParamMap()).setThresholds(1, 1)
                .transform(data)).hasMessage("thresholds: [1.0, 1.0] (expected: 3 values, one per class)");
    }

    @Test
    void saveAndLoadKeepTheParametersAndParams() throws Exception {
        String path = dir.resolve("ml-model").toString();
        softmax.copy(new org.apache.spark.ml.param.ParamMap()).setPredictionCol("label_hat").write().save(path);
        RingfoldClassificationModel loaded = RingfoldClassificationModel.load(path);
        assertThat(loaded.parameterDigest()).isEqualTo(softmax.parameterDigest());
        assertThat(loaded.uid()).isEqualTo(softmax.uid());
        assertThat(loaded.getString(loaded.predictionCol())).isEqualTo("label_hat");
        // The Ringfold file inside the ML path is a plain model file.
        assertThat(ModelCodec.load(Path.of(path, RingfoldModelIO.MODEL_FILE)).parameterDigest())
                .isEqualTo(softmax.parameterDigest());
        assertScores(loaded.setPredictionCol("prediction").transform(data), softmax.ringfoldModel());
    }

    @Test
    void exportWritesAServingRepositoryVersionThatCoreLoadsAndPredictsTheSame() throws Exception {
        Path repo = dir.resolve("models");
        Path file = softmax.exportTo(repo, "fashion", 3);
        assertThat(file).isEqualTo(repo.resolve("fashion").resolve("3").resolve("model.rfm"));
        Model served = ModelCodec.load(file);
        assertThat(served.parameterDigest()).isEqualTo(softmax.parameterDigest());
        assertScores(softmax.transform(data), served);
        assertThatThrownBy(() -> softmax.exportTo(repo, "fashion", 3)).hasMessageContaining("version: 3 (expected: a new version");
        assertThatThrownBy(() -> softmax.exportTo(repo, "../x", 1)).hasMessageStartingWith("name: '../x' (expected:");
    }

    @Test
    void logisticAndRegressionModelsScoreLikeCore() {
        Dataset<Row> binary = data.filter("label < 2");
        RingfoldClassificationModel logistic = new RingfoldClassifier().setModelType("logistic").setEpochs(1)
                .setBatchSize(8).setNumShards(2).setNumWorkers(1).fit(binary);
        List<Row> rows = logistic.transform(binary).collectAsList();
        FloatMatrix p = expected(logistic.ringfoldModel(), rows);
        for (int i = 0; i < rows.size(); i++) {
            double[] prob = ((Vector) rows.get(i).getAs("probability")).toArray();
            assertThat(prob).hasSize(2);
            assertThat((float) prob[1]).isEqualTo(p.get(i, 0));
            assertThat((double) rows.get(i).<Double>getAs("prediction")).isEqualTo(p.get(i, 0) >= 0.5f ? 1.0 : 0.0);
        }

        RingfoldRegressionModel reg = new RingfoldRegressor().setModelType("mlp").setHiddenLayers(4).setEpochs(1)
                .setBatchSize(8).setNumShards(2).setNumWorkers(2).fit(data);
        Dataset<Row> scored = reg.transform(data);
        assertThat(scored.columns()).endsWith("prediction").doesNotContain("probability");
        List<Row> r = scored.collectAsList();
        FloatMatrix y = expected(reg.ringfoldModel(), r);
        for (int i = 0; i < r.size(); i++) {
            assertThat((float) (double) r.get(i).<Double>getAs("prediction")).isEqualTo(y.get(i, 0));
        }
    }
}
