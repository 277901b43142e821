package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.nn.Network;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.FitExchange;
import io.ringfold.train.Fitter;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ringfold train --engine spark}: the command line loads, splits and preprocesses the data as any
 * local run does, then hands the fit to a Spark driver JVM ({@code io.ringfold.spark.SparkFitMain}) through
 * {@link FitExchange} files and gets the parameters back; evaluation, the model file and the run record
 * are then the local path's own. So a Spark run has the same {@code parameter_digest} as
 * {@code --workers N} locally with the same flags.
 *
 * <p>A child JVM rather than Spark on this classpath: Spark 4.0 pins Jackson 2.18 and Netty 4.1, the
 * server here uses Jackson 2.21 and Netty 4.2. The child's classpath is {@code RINGFOLD_SPARK_CLASSPATH},
 * and its JVM options {@code RINGFOLD_SPARK_JVM_OPTIONS}, which the {@code ./ringfold} launcher sets after
 * building ringfold-spark.
 */
final class SparkEngine {

    static final String CLASSPATH_ENV = "RINGFOLD_SPARK_CLASSPATH";
    static final String JAVA_OPTS_ENV = "RINGFOLD_SPARK_JAVA_OPTS";
    /**
     * The add-opens Spark's own launcher adds on Java 17, as ringfold-spark's build writes them
     * (target/spark-jvm-options.txt, from the POM property spark.jvm.opens); the launcher sets it.
     */
    static final String JVM_OPTIONS_ENV = "RINGFOLD_SPARK_JVM_OPTIONS";
    private static final String MAIN = "io.ringfold.spark.SparkFitMain";

    private final String master;
    private final TrainingConfig config;
    private final int workers;
    private final int shards;
    private final int collectiveTimeoutSeconds;
    private final Path checkpointDir;
    private final int checkpointEverySteps;
    private final String classpath;
    private final PrintWriter out;
    private ObjectNode lastResult;

    SparkEngine(String master, TrainingConfig config, int workers, int shards, int collectiveTimeoutSeconds,
                Path checkpointDir, int checkpointEverySteps, String classpath, PrintWriter out) {
        this.master = master;
        this.config = config;
        this.workers = workers;
        this.shards = shards;
        this.collectiveTimeoutSeconds = collectiveTimeoutSeconds;
        this.checkpointDir = checkpointDir;
        this.checkpointEverySteps = checkpointEverySteps;
        this.classpath = classpath;
        this.out = out;
    }

    /** The JSON the Spark driver returned beside the parameters (BLAS, master, Spark version), after a fit. */
    ObjectNode lastResult() {
        return lastResult;
    }

    Fitter fitter() {
        return this::fit;
    }

    private TrainingResult fit(Network arch, Matrix x, float[] y, float[] w, Matrix xVal, float[] yVal,
                               TrainingListener listener) {
        if (w != null) {
            throw new IllegalArgumentException("row weights (a weight column or --class-weight) with --engine spark "
                    + "(expected: none; Spark pipelines set the estimator's weightCol)");
        }
        if (xVal != null) {
            // TrainCommand refuses --validation-split with --engine spark; a validation set here is a bug.
            throw new IllegalStateException("validation data reached the Spark engine");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("ringfold-spark-fit");
        } catch (IOException e) {
            throw new UncheckedIOException("temporary directory for the Spark fit: " + e.getMessage(), e);
        }
        try {
            Path request = dir.resolve("request.bin");
            Path result = dir.resolve("result.json");
            FitExchange.writeRequest(request, header(arch), x, y);
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, LOG4J);
            int status = runChild(request, result, log4j);
            if (status != 0 || !Files.exists(result)) {
                throw new IllegalStateException("the Spark job " + (status == 2 ? "refused the training" : "failed")
                        + " (exit status " + status + "; its message is above)");
            }
            FitExchange.Result r = FitExchange.readResult(result);
            if (r.result().parameters().length != arch.parameterCount()) {
                throw new IllegalStateException("the Spark job returned " + r.result().parameters().length
                        + " parameters (expected: " + arch.parameterCount() + " for " + arch.describe() + ")");
            }
            lastResult = (ObjectNode) r.json();
            lastResult.remove("parameters");
            r.result().epochs().forEach(m -> listener.onEpoch(m));
            return r.result();
        } catch (IOException e) {
            throw new UncheckedIOException("Spark fit files in " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Spark logs every step of its start-up at INFO; the command line's output is the training's, so the
     * driver logs warnings only (RINGFOLD_SPARK_JAVA_OPTS=-Dlog4j2.configurationFile=... overrides it).
     */
    private static final String LOG4J = String.join("\n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.stderr.ref = stderr",
            "appender.console.type = Console",
            "appender.console.name = stderr",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = spark: %p %c{1}: %m%n",
            "logger.jetty.name = org.sparkproject.jetty",
            "logger.jetty.level = error", "");

    private ObjectNode header(Network arch) {
        ObjectNode h = new ObjectMapper().createObjectNode();
        h.put("master", master);
        h.put("app_name", "ringfold train (" + arch.describe() + ")");
        h.set("config", config.toJson());
        // The child recomputes the architecture from the config and these; the class count travels as label
        // metadata so that a training part missing the largest class still gets the same output layer.
        h.put("classes", !arch.loss().isClassification() ? 0 : arch.outputs() == 1 ? 2 : arch.outputs());
        h.put("workers", workers);
        h.put("shards", shards);
        h.put("collective_timeout", collectiveTimeoutSeconds);
        if (checkpointDir != null) {
            h.put("checkpoint_dir", checkpointDir.toAbsolutePath().toString());
            h.put("checkpoint_every_steps", checkpointEverySteps);
        }
        return h;
    }

    private int runChild(Path request, Path result, Path log4j) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        String sparkOptions = System.getenv(JVM_OPTIONS_ENV);
        if (sparkOptions != null && !sparkOptions.isBlank()) {
            cmd.addAll(List.of(sparkOptions.trim().split("\\s+")));
        }
        cmd.add("-Dlog4j2.configurationFile=" + log4j);
        String extra = System.getenv(JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(MAIN);
        cmd.add(request.toString());
        cmd.add(result.toString());
        out.println("spark: " + master + ", " + workers + " barrier tasks, " + shards + " logical shards");
        out.flush();
        try {
            // The child's output goes straight to ours: Spark's warnings and the job's own messages.
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the Spark job ran", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("starting the Spark driver JVM: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is not worth failing a finished run for.
        }
    }
}
