package io.ringfold.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.FitExchange;
import io.ringfold.train.TrainingConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spark driver of {@code ringfold train --engine spark}: reads a {@link FitExchange} request written by
 * the command line (rows already split and preprocessed exactly as a local run would), fits them in one
 * barrier stage with the request's {@link TrainingConfig} unchanged, and writes the result back. A
 * separate JVM because Spark needs its own Jackson and Netty lines, which the command line's do not match.
 *
 * <p>Usage: {@code SparkFitMain REQUEST RESULT}. Exit status 0 with RESULT written, 2 for a refused
 * request (the message on stderr names what and why), 1 for a failed job.
 */
public final class SparkFitMain {

    private SparkFitMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SparkFitMain REQUEST RESULT (expected: two paths, got " + args.length + ")");
            System.exit(2);
        }
        int status;
        try {
            fit(Path.of(args[0]), Path.of(args[1]));
            status = 0;
        } catch (IllegalArgumentException e) {
            System.err.println("ringfold spark: " + e.getMessage());
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("ringfold spark: job failed: " + e);
            e.printStackTrace(System.err);
            status = 1;
        }
        // Spark leaves non-daemon threads behind; the result is on disk, so leave at once.
        System.exit(status);
    }

    static void fit(Path requestFile, Path resultFile) {
        FitExchange.Request request = FitExchange.readRequest(requestFile);
        ObjectNode h = request.header();
        TrainingConfig config = TrainingConfig.fromJson(h.required("config"));
        int classes = h.path("classes").asInt();
        // The command line already standardised, scaled the target and weighed the rows, as a local run does.
        BarrierFit.Settings settings = new BarrierFit.Settings("features", "label", null, FitScaling.NONE, classes > 0,
                h.path("workers").asInt(), h.path("shards").asInt(), h.path("collective_timeout").asInt(60),
                h.hasNonNull("checkpoint_dir") ? h.get("checkpoint_dir").asText() : null,
                h.path("checkpoint_every_steps").asInt(0), 0);
        SparkSession spark = SparkSession.builder().master(h.required("master").asText())
                .appName(h.path("app_name").asText("ringfold train"))
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate();
        try {
            Dataset<Row> data = dataFrame(spark, request.x(), request.y(), classes,
                    Math.max(1, settings.workers()));
            BarrierFit.Trained t = BarrierFit.train(data, config, settings);
            ObjectNode extra = new ObjectMapper().createObjectNode();
            extra.put("blas", t.outcome().blas);
            extra.put("spark_master", spark.sparkContext().master());
            extra.put("spark_version", spark.version());
            extra.put("stage_attempt", t.outcome().attempt);
            FitExchange.writeResult(resultFile, t.result(), extra);
        } finally {
            spark.stop();
        }
    }

    /**
     * The rows in their order as (features, label), the label column carrying the class count as nominal
     * metadata (as StringIndexer writes it), so that the stage builds the same output layer as the
     * command line even when the training part lacks the largest class.
     */
    static Dataset<Row> dataFrame(SparkSession spark, Matrix x, float[] y, int classes, int slices) {
        List<Row> rows = new ArrayList<>(x.rows());
        for (int r = 0; r < x.rows(); r++) {
            rows.add(RowFactory.create(vector(x, r), (double) y[r]));
        }
        Metadata labelMeta = classes > 0
                ? NominalAttribute.defaultAttr().withName("label").withNumValues(classes).toMetadata()
                : Metadata.empty();
        StructType schema = new StructType(new StructField[] {
            new StructField("features", SQLDataTypes.VectorType(), false, Metadata.empty()),
            new StructField("label", DataTypes.DoubleType, false, labelMeta)});
        JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, slices);
        return spark.createDataFrame(rdd, schema);
    }

    private static Vector vector(Matrix x, int r) {
        if (x instanceof FloatMatrix d) {
            double[] v = new double[d.cols()];
            for (int c = 0; c < v.length; c++) {
                v[c] = d.get(r, c);
            }
            return Vectors.dense(v);
        }
        CsrMatrix c = (CsrMatrix) x;
        int from = c.rowStart(r);
        int to = c.rowStart(r + 1);
        int[] idx = new int[to - from];
        double[] val = new double[to - from];
        for (int p = from; p < to; p++) {
            idx[p - from] = c.columnAt(p);
            val[p - from] = c.valueAt(p);
        }
        return Vectors.sparse(c.cols(), idx, val);
    }
}
