package io.ringfold.spark.bench;

import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;

/**
 * Batch-scoring throughput of a fitted model's {@code transform}: rows per second over a cached input,
 * every output column computed (written to Spark's {@code noop} sink, which evaluates the whole plan and
 * stores nothing; a {@code count()} would let the optimizer drop the model's columns). The first pass
 * warms up and is not counted; the result is the median over {@code passes} further passes.
 */
final class ScoringThroughput {

    private ScoringThroughput() {
    }

    /** Seconds of each timed pass, in order. */
    static double[] passes(Transformer model, Dataset<Row> input, int passes) {
        scoreOnce(model, input);
        double[] seconds = new double[passes];
        for (int i = 0; i < passes; i++) {
            long start = System.nanoTime();
            scoreOnce(model, input);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return seconds;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void scoreOnce(Transformer model, Dataset<Row> input) {
        model.transform(input).write().format("noop").mode("overwrite").save();
    }
}
