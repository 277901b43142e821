package io.ringfold.spark.bench;

import io.ringfold.data.DataSpec;
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
 * Issue 5's Spark benchmark: in one Spark session, for every {@link Contender} and {@link BenchTask}, the
 * wall time of {@code fit} to reach the task's test accuracy on Fashion-MNIST ({@link TimeToAccuracy}),
 * then the batch-scoring throughput of the fitted model ({@link ScoringThroughput}). One JSON object per
 * line on stdout; Spark's logs go to stderr. Run through {@code bench/spark/run.sh}.
 *
 * <pre>
 * SparkComparison [--master local[2]] [--contenders ringfold,mllib] [--tasks softmax,mlp] [--softmax-effort N] [--mlp-effort N]
 *                 [--refine] [--granularity N] [--repeats N] [--scoring-copies N] [--scoring-passes N]
 *                 [--data-dir DIR]
 * </pre>
 * {@code --softmax-effort}/{@code --mlp-effort} ({@code N}, or {@code name=N,...} per contender) skip the
 * search and fit only that effort; {@code --refine}
 * bisects between schedule steps down to {@code --granularity} (default 5); {@code --repeats} extra fits
 * of the effort found (default 1); scoring input = test set times {@code --scoring-copies} (default 10),
 * timed {@code --scoring-passes} times (default 5) after one warm-up.
 */
public final class SparkComparison {

    private SparkComparison() {
    }

    /** The contenders compared, in this order in the same session; {@code --contenders} picks some. */
    static List<Contender> contenders() {
        return List.of(new RingfoldContender(), new MllibContender());
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        SparkSession spark = SparkSession.builder().master(o.master).appName("ringfold-spark-comparison")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        try {
            int partitions = spark.sparkContext().defaultParallelism();
            FashionMnistFrames data = FashionMnistFrames.load(spark, o.dataDir, partitions);
            Map<String, Object> common = new LinkedHashMap<>();
            common.put("bench", "spark");
            common.put("spark", spark.version());
            common.put("master", o.master);
            JsonLines out = new JsonLines(System.out, common);
            out.print(environment(data, partitions));

            TimeToAccuracy timeToAccuracy = new TimeToAccuracy(out);
            Dataset<Row> scoringInput = FashionMnistFrames.replicated(data.test(), o.scoringCopies, partitions);
            long scoringRows = data.testRows() * o.scoringCopies;
            for (Contender contender : contenders()) {
                if (!o.contenders.contains(contender.name())) {
                    continue;
                }
                for (BenchTask task : o.tasks) {
                    int fixed = (task == BenchTask.SOFTMAX ? o.softmaxEffort : o.mlpEffort)
                            .getOrDefault(contender.name(), 0);
                    TimeToAccuracy.Outcome outcome = timeToAccuracy.run(contender, task, data.train(), data.test(),
                            fixed, o.refine, o.granularity, o.repeats);
                    if (!outcome.reached()) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("measure", "time_to_accuracy");
                        line.put("contender", contender.name());
                        line.put("task", task.id());
                        line.put("target_accuracy", task.targetAccuracy());
                        line.put("reached", false);
                        line.put("largest_effort_tried", outcome.effort());
                        out.print(line);
                        continue;
                    }
                    double[] seconds = ScoringThroughput.passes(outcome.model(), scoringInput, o.scoringPasses);
                    double median = ScoringThroughput.median(seconds);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("measure", "scoring");
                    line.put("contender", contender.name());
                    line.put("task", task.id());
                    line.put("rows", scoringRows);
                    line.put("passes", seconds.length);
                    line.put("seconds_each", java.util.Arrays.toString(seconds));
                    line.put("median_seconds", TimeToAccuracy.round(median, 4));
                    line.put("rows_per_second", Math.round(scoringRows / median));
                    out.print(line);
                }
            }
        } finally {
            spark.stop();
        }
    }

    private static Map<String, Object> environment(FashionMnistFrames data, int partitions) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("measure", "environment");
        line.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        line.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        line.put("cpus", Runtime.getRuntime().availableProcessors());
        line.put("load_average_1min", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        line.put("partitions", partitions);
        line.put("train_rows", data.trainRows());
        line.put("test_rows", data.testRows());
        line.put("preprocessing", "standardised per pixel (training mean/std)");
        return line;
    }

    /** Command-line options; every bad value is refused with its name and the expectation. */
    private static final class Options {
        String master = "local[2]";
        List<BenchTask> tasks = List.of(BenchTask.SOFTMAX, BenchTask.MLP);
        List<String> contenders = List.of("ringfold", "mllib");
        /** Fixed effort per contender name (skips that contender's search); empty = search. */
        Map<String, Integer> softmaxEffort = Map.of();
        Map<String, Integer> mlpEffort = Map.of();
        boolean refine;
        int granularity = 5;
        int repeats = 1;
        int scoringCopies = 10;
        int scoringPasses = 5;
        Path dataDir = Path.of(DataSpec.FASHION_MNIST_DIR);

        /** {@code N} for every contender, or {@code name=N[,name=N]}. */
        static Map<String, Integer> efforts(String option, String v) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (String part : v.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    int n = positive(option, part);
                    m.put("ringfold", n);
                    m.put("mllib", n);
                } else {
                    String name = part.substring(0, eq).trim();
                    if (!name.equals("ringfold") && !name.equals("mllib")) {
                        throw new IllegalArgumentException(option + ": " + name + " (expected: ringfold or mllib)");
                    }
                    m.put(name, positive(option, part.substring(eq + 1).trim()));
                }
            }
            return Map.copyOf(m);
        }

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--refine")) {
                    o.refine = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": missing value (or unknown option)");
                }
                String v = args[++i];
                switch (a) {
                    case "--master" -> o.master = v;
                    case "--contenders" -> {
                        List<String> cs = new ArrayList<>();
                        for (String c : v.split(",")) {
                            if (!c.trim().equals("ringfold") && !c.trim().equals("mllib")) {
                                throw new IllegalArgumentException("--contenders: " + c + " (expected: ringfold, mllib)");
                            }
                            cs.add(c.trim());
                        }
                        o.contenders = List.copyOf(cs);
                    }
                    case "--tasks" -> {
                        List<BenchTask> ts = new ArrayList<>();
                        for (String t : v.split(",")) {
                            ts.add(BenchTask.parse(t.trim()));
                        }
                        o.tasks = List.copyOf(ts);
                    }
                    case "--softmax-effort" -> o.softmaxEffort = efforts(a, v);
                    case "--mlp-effort" -> o.mlpEffort = efforts(a, v);
                    case "--granularity" -> o.granularity = positive(a, v);
                    case "--repeats" -> o.repeats = nonNegative(a, v);
                    case "--scoring-copies" -> o.scoringCopies = positive(a, v);
                    case "--scoring-passes" -> o.scoringPasses = positive(a, v);
                    case "--data-dir" -> o.dataDir = Path.of(v);
                    default -> throw new IllegalArgumentException("option: " + a + " (expected: --master, --contenders, --tasks, "
                            + "--softmax-effort, --mlp-effort, --refine, --granularity, --repeats, "
                            + "--scoring-copies, --scoring-passes, --data-dir)");
                }
            }
            if (!Files.isDirectory(o.dataDir)) {
                throw new IllegalArgumentException("--data-dir: " + o.dataDir + " is not a directory (expected: "
                        + "Fashion-MNIST's IDX files; apt-get install dataset-fashion-mnist)");
            }
            return o;
        }

        private static int positive(String name, String value) {
            int n = nonNegative(name, value);
            if (n == 0) {
                throw new IllegalArgumentException(name + ": 0 (expected: > 0)");
            }
            return n;
        }

        private static int nonNegative(String name, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n < 0) {
                    throw new IllegalArgumentException(name + ": " + n + " (expected: >= 0)");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: an integer)", e);
            }
        }
    }
}
