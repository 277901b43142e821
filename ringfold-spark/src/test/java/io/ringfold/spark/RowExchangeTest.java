package io.ringfold.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways rows reach their owners give the same bits: with one input partition per worker the tasks
 * exchange rows over their ring (ExchangedRows); otherwise a Spark shuffle routes them (RoutedRows). Same
 * data, same order, so the same parameters, dense and sparse.
 */
class RowExchangeTest {

    private static SparkSession spark;

    @BeforeAll
    static void session() {
        spark = SparkTestSession.get();
    }

    /** 203 rows (not a multiple of the shard count) of 6 features, classes 0..2, in a fixed order. */
    private static Dataset<Row> frame(boolean sparse, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 203; i++) {
            double[] v = new double[6];
            for (int c = 0; c < 6; c++) {
                v[c] = ((i * 31 + c * 17) % 13) / 6.0 - 1;
            }
            double label = (v[0] + v[1] > 0) ? 2 : (v[2] > 0 ? 1 : 0);
            if (sparse) {
                // Every third feature zero and left out: rows of different lengths.
                int[] idx = {0, 1, 3, 4};
                rows.add(RowFactory.create(Vectors.sparse(6, idx, new double[] {v[0], v[1], v[3], v[4]}), label));
            } else {
                rows.add(RowFactory.create(Vectors.dense(v), label));
            }
        }
        StructType schema = new StructType(new StructField[] {
            new StructField("features", SQLDataTypes.VectorType(), false, Metadata.empty()),
            new StructField("label", DataTypes.DoubleType, false, Metadata.empty())});
        return spark.createDataFrame(
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(rows, partitions), schema);
    }

    private static RingfoldClassifier classifier(int workers) {
        return new RingfoldClassifier().setModelType("mlp").setHiddenLayers(5).setEpochs(2).setBatchSize(24)
                .setLearningRate(0.01).setSeed(3).setNumShards(6).setNumWorkers(workers);
    }

    @Test
    void exchangedDenseRowsTrainAsRoutedOnes() {
        Dataset<Row> two = frame(false, 2);
        assertThat(BarrierFit.uniformWithinStage(two.toJavaRDD().rdd(), 2)).as("exchange path").isTrue();
        String exchanged = classifier(2).fit(two).parameterDigest();
        String routed = classifier(2).fit(frame(false, 3)).parameterDigest();
        String single = classifier(1).fit(frame(false, 1)).parameterDigest();
        assertThat(exchanged).isEqualTo(routed).isEqualTo(single);
    }

    @Test
    void exchangedSparseRowsTrainAsRoutedOnes() {
        String exchanged = classifier(2).fit(frame(true, 2)).parameterDigest();
        String routed = classifier(2).fit(frame(true, 5)).parameterDigest();
        assertThat(exchanged).isEqualTo(routed);
    }

    /**
     * Partition 0 all sparse, partition 1 with dense rows: the input is dense, so the first task's block
     * (kept sparse while it read only sparse rows) is widened when rows are assembled. Same bits as the
     * same values all dense, through either path.
     */
    @Test
    void sparseAndDensePartitionsTrainAsAllDense() {
        List<Row> dense = frame(false, 1).collectAsList();
        List<Row> mixed = new ArrayList<>();
        for (int i = 0; i < dense.size(); i++) {
            org.apache.spark.ml.linalg.Vector v = (org.apache.spark.ml.linalg.Vector) dense.get(i).get(0);
            // The rows of partition 0 of 2 below (parallelize puts 203 / 2 = 101 there) sparse, the rest dense.
            mixed.add(RowFactory.create(i < dense.size() / 2 ? v.toSparse() : v, dense.get(i).get(1)));
        }
        StructType schema = frame(false, 1).schema();
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> twoParts = spark.createDataFrame(jsc.parallelize(mixed, 2), schema);
        Dataset<Row> threeParts = spark.createDataFrame(jsc.parallelize(mixed, 3), schema); // same order
        List<List<Row>> parts = twoParts.toJavaRDD().glom().collect();
        assertThat(parts.get(0)).allMatch(r -> r.get(0) instanceof org.apache.spark.ml.linalg.SparseVector);
        assertThat(parts.get(1)).allMatch(r -> r.get(0) instanceof org.apache.spark.ml.linalg.DenseVector);
        String expected = classifier(2).fit(frame(false, 2)).parameterDigest();
        assertThat(classifier(2).fit(twoParts).parameterDigest()).isEqualTo(expected);
        assertThat(classifier(2).fit(threeParts).parameterDigest()).isEqualTo(expected);
    }

    /**
     * Tasks in one JVM normally read each other's rows in place and train over an in-process group; with
     * the test property they connect over TCP and send each other the rows, as across JVMs (told apart by
     * the bytes sent: TCP frames carry headers). Same bits, dense and sparse.
     */
    @Test
    void rowsSentOverTcpTrainAsRowsReadInPlace() {
        for (boolean sparse : new boolean[] {false, true}) {
            BarrierFit.Trained inPlace = train(frame(sparse, 2));
            System.setProperty(BarrierTraining.FORCE_TCP_PROPERTY, "true");
            BarrierFit.Trained overTcp;
            try {
                overTcp = train(frame(sparse, 2));
            } finally {
                System.clearProperty(BarrierTraining.FORCE_TCP_PROPERTY);
            }
            assertThat(overTcp.outcome().parameters).as("sparse %s", sparse).containsExactly(inPlace.outcome().parameters);
            long tcpBytes = overTcp.result().telemetry().get(0).bytesSent();
            long inProcessBytes = inPlace.result().telemetry().get(0).bytesSent();
            assertThat(tcpBytes).as("rank 0 bytes over TCP vs in-process").isGreaterThan(inProcessBytes);
        }
    }

    private static BarrierFit.Trained train(Dataset<Row> frame) {
        RingfoldClassifier c = classifier(2);
        return BarrierFit.train(frame, c.trainingConfig(frame), new BarrierFit.Settings("features", "label", null,
                FitScaling.NONE, true, 2, 6, 30, null, 0, 0));
    }

    @Test
    void aCoalesceInsideTheStageTakesTheShufflePath() {
        Dataset<Row> coalesced = frame(false, 4).coalesce(2);
        assertThat(BarrierFit.uniformWithinStage(coalesced.toJavaRDD().rdd(), 2)).isFalse();
        assertThat(classifier(2).fit(coalesced).parameterDigest())
                .isEqualTo(classifier(2).fit(frame(false, 2)).parameterDigest());
    }
}
