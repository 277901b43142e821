package io.ringfold.spark.bench;

import io.ringfold.data.DataSpec;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 18's Spark peers (Performance), MLlib's own solvers in one Spark session, one JSON object per line
 * on stdout:
 * <ul>
 *   <li>{@code softmax}: multinomial {@code LogisticRegression} (L-BFGS) on Fashion-MNIST, standardised as
 *       {@link FashionMnistFrames} does, with Ringfold's default penalty: {@code regParam = 1 / rows} (L2,
 *       {@code elasticNetParam} 0) on the given features ({@code standardization} false: they are already
 *       standardised), so that MLlib minimises mean cross-entropy + (l2/2) ||W||², intercepts unpenalised:
 *       Ringfold's objective and scikit-learn's C = 1 divided by C n. Reports the fit's time, iterations,
 *       MLlib's last objective and the same objective recomputed here from the model's margins.
 *       {@code --softmax-target-objective T} then fits again with {@code maxIter} = the first iteration
 *       whose objective is at most T, timing MLlib to T. MLlib's iterates are not reproducible from fit to fit
 *       over thousands of iterations, so it says whether the second fit reached T, and gives the first fit's time
 *       prorated to T's iteration beside it;</li>
 *   <li>{@code least-squares}: {@code LinearRegression} with {@code solver "normal"} (the normal equations,
 *       one pass) on {@link GeneratedRegression} data, {@code regParam} 0: time, training MSE (the objective
 *       in Ringfold's form, mean (y - yhat)^2) and 1 - R² (the same with the target standardised); then
 *       {@code RingfoldRegressor} with {@code solver "normal"} on the same frame, its time and training MSE.</li>
 * </ul>
 * <pre>
 * SolverPeers [--master local[2]] [--tasks softmax,least-squares] [--softmax-max-iter 100] [--softmax-tol 1e-6]
 *             [--softmax-target-objective T] [--rows 100000] [--features 1000] [--seed 1] [--data-dir DIR]
 * </pre>
 * Run through {@code bench/spark/run.sh --main SolverPeers}. A Ringfold contender joins here, in the same
 * session, once its estimators have the full-batch solvers.
 */
public final class SolverPeers {

    private SolverPeers() {
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        SparkSession spark = SparkSession.builder().master(o.master).appName("ringfold-solver-peers")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        try {
            int partitions = spark.sparkContext().defaultParallelism();
            Map<String, Object> common = new LinkedHashMap<>();
            common.put("bench", "spark-solvers");
            common.put("spark", spark.version());
            common.put("master", o.master);
            JsonLines out = new JsonLines(System.out, common);
            Map<String, Object> env = new LinkedHashMap<>();
            env.put("measure", "environment");
            env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            env.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
            env.put("cpus", Runtime.getRuntime().availableProcessors());
            env.put("partitions", partitions);
            env.put("load_average_1min", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
            out.print(env);
            if (o.tasks.contains("softmax")) {
                softmax(spark, out, o, partitions);
            }
            if (o.tasks.contains("least-squares")) {
                leastSquares(spark, out, o, partitions);
            }
        } finally {
            spark.stop();
        }
    }

    private static void softmax(SparkSession spark, JsonLines out, Options o, int partitions) {
        FashionMnistFrames data = FashionMnistFrames.load(spark, o.dataDir, partitions);
        double l2 = 1.0 / data.trainRows();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("measure", "softmax");
        line.put("estimator", "LogisticRegression");
        line.put("settings", settings("family", "multinomial", "regParam", l2, "elasticNetParam", 0.0,
                "standardization", false, "tol", o.softmaxTol, "maxIter", o.softmaxMaxIter));
        line.put("train_rows", data.trainRows());
        long start = System.nanoTime();
        LogisticRegressionModel model = logistic(l2, o.softmaxTol, o.softmaxMaxIter).fit(data.train());
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] history = model.summary().objectiveHistory();
        line.put("fit_seconds", TimeToAccuracy.round(seconds, 3));
        line.put("iterations", model.summary().totalIterations());
        line.put("objective_mllib", history[history.length - 1]);
        line.put("objective", softmaxObjective(model, data.train(), l2, data.trainRows()));
        line.put("test_accuracy", TimeToAccuracy.round(new MulticlassClassificationEvaluator()
                .setMetricName("accuracy").evaluate(model.transform(data.test())), 4));
        line.put("objective_history", history);
        out.print(line);

        if (o.softmaxTarget != null) {
            Map<String, Object> to = new LinkedHashMap<>();
            to.put("measure", "softmax_to_objective");
            to.put("target_objective", o.softmaxTarget);
            int k = firstAtMost(history, o.softmaxTarget);
            to.put("reached", k >= 0);
            if (k > 0) {
                long t0 = System.nanoTime();
                LogisticRegressionModel again = logistic(l2, o.softmaxTol, k).fit(data.train());
                to.put("fit_seconds", TimeToAccuracy.round((System.nanoTime() - t0) / 1e9, 3));
                double[] h = again.summary().objectiveHistory();
                to.put("max_iter", k);
                to.put("objective_mllib", h[h.length - 1]);
                to.put("second_fit_reached", h[h.length - 1] <= o.softmaxTarget);
                to.put("first_fit_prorated_seconds_to_target", TimeToAccuracy.round(seconds * k / (history.length - 1), 3));
            }
            out.print(to);
        }
    }

    /** The first index of {@code history} (entry 0: the starting point) at most {@code target}; -1 if none. */
    static int firstAtMost(double[] history, double target) {
        for (int i = 0; i < history.length; i++) {
            if (history[i] <= target) {
                return i;
            }
        }
        return -1;
    }

    private static LogisticRegression logistic(double l2, double tol, int maxIter) {
        return new LogisticRegression().setFamily("multinomial").setRegParam(l2).setElasticNetParam(0.0)
                .setStandardization(false).setTol(tol).setMaxIter(maxIter);
    }

    /**
     * Mean over the rows of logsumexp(margins) - margin[label], from MLlib's rawPrediction (the margins, in
     * double), plus (l2/2) ||W||² over the coefficient matrix: the objective in Ringfold's form, independent
     * of MLlib's own bookkeeping.
     */
    static double softmaxObjective(LogisticRegressionModel model, Dataset<Row> train, double l2, long rows) {
        double loss = model.transform(train).select("rawPrediction", "label").javaRDD().mapToDouble(r -> {
            Vector z = r.getAs(0);
            int label = (int) r.getDouble(1);
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < z.size(); k++) {
                max = Math.max(max, z.apply(k));
            }
            double sum = 0;
            for (int k = 0; k < z.size(); k++) {
                sum += Math.exp(z.apply(k) - max);
            }
            return max + Math.log(sum) - z.apply(label);
        }).sum();
        Matrix w = model.coefficientMatrix();
        double squares = 0;
        for (int i = 0; i < w.numRows(); i++) {
            for (int j = 0; j < w.numCols(); j++) {
                squares += w.apply(i, j) * w.apply(i, j);
            }
        }
        return loss / rows + 0.5 * l2 * squares;
    }

    private static void leastSquares(SparkSession spark, JsonLines out, Options o, int partitions) {
        GeneratedRegression problem = new GeneratedRegression(o.rows, o.features, o.seed);
        Dataset<Row> frame = problem.frame(spark, partitions);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("measure", "least_squares");
        line.put("estimator", "LinearRegression");
        line.put("settings", settings("solver", "normal", "regParam", 0.0, "fitIntercept", true));
        line.put("rows", o.rows);
        line.put("features", o.features);
        line.put("seed", o.seed);
        line.put("data", "generated on the executors in every pass (GeneratedRegression), not cached");
        long start = System.nanoTime();
        LinearRegressionModel model = new LinearRegression().setSolver("normal").setRegParam(0.0)
                .setFitIntercept(true).fit(frame);
        line.put("fit_seconds", TimeToAccuracy.round((System.nanoTime() - start) / 1e9, 3));
        // The training summary makes its predictions in one more pass, untimed.
        double mse = model.summary().meanSquaredError();
        line.put("objective", mse);
        line.put("objective_standardised_target", 1.0 - model.summary().r2());
        line.put("intercept", model.intercept());
        out.print(line);

        // Ringfold's normal equations on the same frame in the same session (its rows gathered into the
        // barrier tasks, the Gram matrix summed per logical shard), MLlib's objective recomputed from its model.
        Map<String, Object> ours = new LinkedHashMap<>();
        ours.put("measure", "least_squares");
        ours.put("estimator", "RingfoldRegressor");
        ours.put("settings", settings("modelType", "linear", "solver", "normal", "numWorkers", partitions));
        ours.put("rows", o.rows);
        ours.put("features", o.features);
        ours.put("seed", o.seed);
        start = System.nanoTime();
        io.ringfold.spark.RingfoldRegressionModel ringfold = new io.ringfold.spark.RingfoldRegressor()
                .setModelType("linear").setSolver("normal").setNumWorkers(partitions).fit(frame);
        ours.put("fit_seconds", TimeToAccuracy.round((System.nanoTime() - start) / 1e9, 3));
        double ringfoldMse = new org.apache.spark.ml.evaluation.RegressionEvaluator().setMetricName("mse")
                .evaluate(ringfold.transform(frame));
        ours.put("objective", ringfoldMse);
        out.print(ours);
    }

    /** Name-value pairs in their order, for a JSON object that reads as the code sets it. */
    private static Map<String, Object> settings(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** Command-line options; every bad value is refused with its name and the expectation. */
    private static final class Options {
        String master = "local[2]";
        List<String> tasks = List.of("softmax", "least-squares");
        int softmaxMaxIter = 100;
        double softmaxTol = 1e-6;
        Double softmaxTarget;
        long rows = 100_000;
        int features = 1000;
        long seed = 1;
        Path dataDir = Path.of(DataSpec.FASHION_MNIST_DIR);

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": missing value (or unknown option)");
                }
                String v = args[++i];
                switch (a) {
                    case "--master" -> o.master = v;
                    case "--tasks" -> {
                        List<String> ts = new ArrayList<>();
                        for (String t : v.split(",")) {
                            if (!t.trim().equals("softmax") && !t.trim().equals("least-squares")) {
                                throw new IllegalArgumentException("--tasks: " + t + " (expected: softmax, least-squares)");
                            }
                            ts.add(t.trim());
                        }
                        o.tasks = List.copyOf(ts);
                    }
                    case "--softmax-max-iter" -> o.softmaxMaxIter = (int) positive(a, v, Integer.MAX_VALUE);
                    case "--softmax-tol" -> o.softmaxTol = nonNegativeDouble(a, v);
                    case "--softmax-target-objective" -> o.softmaxTarget = nonNegativeDouble(a, v);
                    case "--rows" -> o.rows = positive(a, v, Long.MAX_VALUE);
                    case "--features" -> o.features = (int) positive(a, v, Integer.MAX_VALUE);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--data-dir" -> o.dataDir = Path.of(v);
                    default -> throw new IllegalArgumentException("option: " + a + " (expected: --master, --tasks, "
                            + "--softmax-max-iter, --softmax-tol, --softmax-target-objective, --rows, --features, "
                            + "--seed, --data-dir)");
                }
            }
            if (o.tasks.contains("softmax") && !Files.isDirectory(o.dataDir)) {
                throw new IllegalArgumentException("--data-dir: " + o.dataDir + " is not a directory (expected: "
                        + "Fashion-MNIST's IDX files; apt-get install dataset-fashion-mnist)");
            }
            return o;
        }

        private static long positive(String name, String value, long max) {
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: an integer)", e);
            }
            if (n <= 0 || n > max) {
                throw new IllegalArgumentException(name + ": " + n + " (expected: 1.." + max + ")");
            }
            return n;
        }

        private static double nonNegativeDouble(String name, String value) {
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a number)", e);
            }
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a finite number >= 0)");
            }
            return d;
        }
    }
}
