package io.ringfold.spark.bench;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spark MLlib's own classifiers with their default solvers, effort = L-BFGS iterations ({@code maxIter}):
 * multinomial {@code LogisticRegression} without regularisation, and
 * {@code MultilayerPerceptronClassifier} with layers 784-128-10 (sigmoid hidden layer, softmax output,
 * MLlib's only choice), block size 128, seed 1. Tolerances are MLlib's defaults (1e-6), so a fit may stop
 * before {@code maxIter} when it converges.
 */
public final class MllibContender implements Contender {

    static final long SEED = 1L;

    @Override
    public String name() {
        return "mllib";
    }

    @Override
    public String effortUnit() {
        return "max_iter";
    }

    @Override
    public List<Integer> effortSchedule(BenchTask task) {
        return switch (task) {
            // Issue 5 measured 100 iterations -> 0.843; the steps bracket the smallest sufficient count.
            case SOFTMAX -> List.of(20, 40, 60, 80, 100, 150, 200);
            case MLP -> List.of(25, 50, 100, 150, 200, 300);
        };
    }

    @Override
    public Map<String, Object> settings(BenchTask task) {
        Map<String, Object> s = new LinkedHashMap<>();
        switch (task) {
            case SOFTMAX -> {
                s.put("estimator", "LogisticRegression");
                s.put("family", "multinomial");
                s.put("solver", "l-bfgs (MLlib default for no/L2 regularisation)");
                s.put("regParam", 0.0);
                s.put("standardization", true);
                s.put("tol", 1e-6);
            }
            case MLP -> {
                s.put("estimator", "MultilayerPerceptronClassifier");
                s.put("layers", "784-128-10");
                s.put("solver", "l-bfgs");
                s.put("blockSize", 128);
                s.put("tol", 1e-6);
                s.put("seed", SEED);
            }
        }
        return s;
    }

    @Override
    public Transformer fit(BenchTask task, int effort, Dataset<Row> train) {
        return switch (task) {
            case SOFTMAX -> new LogisticRegression()
                    .setFamily("multinomial")
                    .setRegParam(0.0)
                    .setStandardization(true)
                    .setTol(1e-6)
                    .setMaxIter(effort)
                    .fit(train);
            case MLP -> new MultilayerPerceptronClassifier()
                    .setLayers(new int[] {784, 128, 10})
                    .setSolver("l-bfgs")
                    .setBlockSize(128)
                    .setTol(1e-6)
                    .setSeed(SEED)
                    .setMaxIter(effort)
                    .fit(train);
        };
    }
}
