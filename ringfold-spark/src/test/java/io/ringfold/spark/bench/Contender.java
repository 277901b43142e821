package io.ringfold.spark.bench;

import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;

/**
 * One library in the comparison. It fits a model of a {@link BenchTask} with a given effort (L-BFGS
 * iterations for MLlib, epochs for Ringfold); {@link TimeToAccuracy} times the fits and searches the
 * smallest effort that reaches the target, and {@link ScoringThroughput} times the fitted model's
 * {@code transform}, the same way for every contender.
 *
 * <p>Input frames have a {@code features} column (ml {@code Vector}, 784 standardised pixels) and a
 * {@code label} column (double 0..9), cached and materialised before any fit; a fitted model's
 * {@code transform} adds at least a {@code prediction} column.
 *
 * <p>Adding Ringfold: implement this with {@code RingfoldClassifier} (softmax / MLP 784-128-10, effort =
 * epochs, fixed seed), and add it in {@link SparkComparison#contenders}.
 */
public interface Contender {

    /** Short name in the JSON lines, e.g. {@code mllib}. */
    String name();

    /** Efforts to try for {@code task}, ascending; the search stops at the first that reaches the target. */
    List<Integer> effortSchedule(BenchTask task);

    /** What the effort counts, e.g. {@code max_iter} or {@code epochs}. */
    String effortUnit();

    /** Settings of a fit other than the effort (solver, regularisation, seed...), for the JSON lines. */
    Map<String, Object> settings(BenchTask task);

    /** Fits one model; the caller measures the wall time of this call. */
    Transformer fit(BenchTask task, int effort, Dataset<Row> train);
}
