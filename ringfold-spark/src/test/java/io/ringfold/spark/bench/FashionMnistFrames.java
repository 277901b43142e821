package io.ringfold.spark.bench;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Preprocessor;
import io.ringfold.tensor.FloatMatrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST as cached Spark frames {@code (features: Vector, label: double)}: read with ringfold's
 * IDX reader, each pixel standardised with the training set's mean and standard deviation (ringfold's
 * {@link Preprocessor}, as {@code ringfold train} and the e2e peers do), split into {@code partitions}
 * partitions and materialised, so no fit pays for loading.
 */
record FashionMnistFrames(Dataset<Row> train, Dataset<Row> test, long trainRows, long testRows) {

    static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    static FashionMnistFrames load(SparkSession spark, Path directory, int partitions) {
        DataSpec.LoadedData data = new DataSpec.FashionMnist(directory).load();
        io.ringfold.data.Dataset rawTest = data.test().orElseThrow(() -> new IllegalStateException(
                "fashion-mnist at " + directory + ": no test set (expected: the t10k files)"));
        Preprocessor standardise = Preprocessor.fit(data.train(), true);
        Dataset<Row> train = frame(spark, standardise.apply(data.train()), partitions);
        Dataset<Row> test = frame(spark, standardise.apply(rawTest), partitions);
        return new FashionMnistFrames(train, test, train.count(), test.count());
    }

    /** {@code copies} copies of {@code frame}, cached and materialised: a scoring input of useful size. */
    static Dataset<Row> replicated(Dataset<Row> frame, int copies, int partitions) {
        Dataset<Row> out = frame;
        for (int i = 1; i < copies; i++) {
            out = out.union(frame);
        }
        out = out.repartition(partitions).persist(StorageLevel.MEMORY_ONLY());
        out.count();
        return out;
    }

    private static Dataset<Row> frame(SparkSession spark, io.ringfold.data.Dataset data, int partitions) {
        FloatMatrix x = (FloatMatrix) data.features();
        float[] values = x.data();
        int cols = x.cols();
        List<Row> rows = new ArrayList<>(x.rows());
        for (int r = 0; r < x.rows(); r++) {
            double[] v = new double[cols];
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                v[c] = values[base + c];
            }
            rows.add(RowFactory.create(Vectors.dense(v), (double) data.label(r)));
        }
        Dataset<Row> frame = spark.createDataFrame(rows, SCHEMA).repartition(partitions)
                .persist(StorageLevel.MEMORY_ONLY());
        frame.count();
        return frame;
    }
}
