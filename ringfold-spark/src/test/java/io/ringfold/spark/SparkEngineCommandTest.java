package io.ringfold.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ringfold train --engine spark} end to end, as a user runs it: the command line's jar in one JVM,
 * the Spark driver (local[2], two barrier tasks) in the child JVM it starts. The result must have the
 * same parameter_digest as the local data-parallel run with the same flags, standardisation and the
 * held-out test split included, since the command line prepares the rows for both.
 */
class SparkEngineCommandTest {

    private static final Path CLI_JAR = Path.of("..", "ringfold-cli", "target", "ringfold.jar");
    private static final Path SPARK_CLASSPATH = Path.of("target", "spark-classpath.txt");
    private static final Path SPARK_JVM_OPTIONS = Path.of("target", "spark-jvm-options.txt");

    @TempDir
    Path dir;

    @Test
    void sparkEngineGivesTheLocalDigestAndARunRecord() throws Exception {
        assertThat(CLI_JAR).as("built by the reactor before this module (test dependency on ringfold-cli)").exists();
        assertThat(SPARK_CLASSPATH).as("written at process-classes by maven-dependency-plugin").exists();
        assertThat(SPARK_JVM_OPTIONS).as("written at process-classes by maven-resources-plugin").exists();
        String classpath = Path.of("target", "classes").toAbsolutePath() + ":"
                + Files.readString(SPARK_CLASSPATH).strip();
        String[] flags = {"train", "--data", "digits", "--model", "mlp", "--hidden", "16", "--epochs", "2",
            "--batch-size", "64", "--seed", "11", "--shards", "4", "--workers", "2", "--json"};

        JsonNode local = run(flags, List.of("--out", dir.resolve("local").toString()), null);
        JsonNode spark = run(flags, List.of("--engine", "spark", "--master", "local[2]", "--out",
                dir.resolve("spark").toString()), classpath);

        assertThat(spark.path("engine").asText()).isEqualTo("spark");
        assertThat(spark.path("spark_version").asText()).startsWith("4.0");
        assertThat(spark.path("parameter_digest").asText()).isEqualTo(local.path("parameter_digest").asText());
        assertThat(spark.path("test_accuracy").asDouble()).isEqualTo(local.path("test_accuracy").asDouble());
        assertThat(spark.path("telemetry")).hasSize(2);
        // The run record sits next to the model, as for every other engine.
        JsonNode record = new ObjectMapper().readTree(dir.resolve("spark").resolve("run.json").toFile());
        assertThat(record.toString()).contains("\"engine\":\"spark\"");
        assertThat(Files.readAllLines(dir.resolve("spark").resolve("epochs.jsonl"))).hasSize(2);
    }

    private JsonNode run(String[] flags, List<String> extra, String sparkClasspath) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-jar", CLI_JAR.toString()));
        cmd.addAll(List.of(flags));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("RINGFOLD_SPARK_CLASSPATH");
        pb.environment().remove("RINGFOLD_SPARK_JVM_OPTIONS");
        if (sparkClasspath != null) {
            pb.environment().put("RINGFOLD_SPARK_CLASSPATH", sparkClasspath);
            pb.environment().put("RINGFOLD_SPARK_JVM_OPTIONS", Files.readString(SPARK_JVM_OPTIONS).strip());
        }
        Path log = dir.resolve((sparkClasspath == null ? "local" : "spark") + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done).as("finished within 240 s; output:\n" + out).isTrue();
        assertThat(p.exitValue()).as("exit status; output:\n" + out).isZero();
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
}
