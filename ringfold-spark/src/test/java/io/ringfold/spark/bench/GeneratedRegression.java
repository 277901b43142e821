package io.ringfold.spark.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * A least-squares problem of any size, made on the executors from a seed and the row's index, so that no
 * copy of it passes through the driver and every pass over it sees the same numbers: feature j of a row is
 * {@code offset_j + scale_j * N(0, 1)} (offsets in [-1, 1], scales in [0.5, 2]: unscaled columns, as real
 * data have), the label {@code 3 + x . beta + N(0, 0.5^2)} with {@code beta_j} in [-1, 1]. Frames
 * {@code (features: Vector, label: double)}, not cached: a frame of 1,000,000 rows of 1,000 doubles is 8 GB,
 * so each pass makes its rows again (a fraction of what a pass of the normal equations costs: 1,000 normal
 * draws against 500,500 multiply-adds per row).
 */
record GeneratedRegression(long rows, int features, long seed) implements Serializable {

    GeneratedRegression {
        if (rows <= 0) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: > 0)");
        }
        if (features <= 0) {
            throw new IllegalArgumentException("features: " + features + " (expected: > 0)");
        }
    }

    /** The frame in {@code partitions} partitions of consecutive row indices. */
    Dataset<Row> frame(SparkSession spark, int partitions) {
        GeneratedRegression problem = this;
        JavaRDD<Row> rdd = spark.range(0, rows, 1, partitions).javaRDD().mapPartitions(problem::rowsOf);
        return spark.createDataFrame(rdd, FashionMnistFrames.SCHEMA);
    }

    /** The rows of the given indices; the columns' constants are drawn once per partition. */
    Iterator<Row> rowsOf(Iterator<Long> indices) {
        double[] offset = new double[features];
        double[] scale = new double[features];
        double[] beta = new double[features];
        columns(offset, scale, beta);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return indices.hasNext();
            }

            @Override
            public Row next() {
                return row(indices.next(), offset, scale, beta);
            }
        };
    }

    /** Row {@code index}: its own generator, split from nothing but the seed and the index. */
    Row row(long index, double[] offset, double[] scale, double[] beta) {
        SplittableRandom r = new SplittableRandom(mix(seed ^ mix(index + 1)));
        double[] x = new double[features];
        double y = 3.0;
        for (int j = 0; j < features; j++) {
            x[j] = offset[j] + scale[j] * r.nextGaussian();
            y += beta[j] * x[j];
        }
        y += 0.5 * r.nextGaussian();
        return RowFactory.create(Vectors.dense(x), y);
    }

    /** The columns' offsets, scales and true coefficients, from the seed alone. */
    void columns(double[] offset, double[] scale, double[] beta) {
        SplittableRandom r = new SplittableRandom(mix(seed));
        for (int j = 0; j < features; j++) {
            offset[j] = r.nextDouble(-1.0, 1.0);
            scale[j] = r.nextDouble(0.5, 2.0);
            beta[j] = r.nextDouble(-1.0, 1.0);
        }
    }

    /** SplitMix64's finaliser: nearby seeds and indices give unrelated generators. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
