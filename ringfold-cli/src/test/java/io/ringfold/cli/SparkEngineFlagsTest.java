package io.ringfold.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code --engine spark} refuses before anything runs; the Spark run itself is tested end to end in
 * ringfold-spark (SparkEngineCommandTest), which has Spark on its classpath.
 */
class SparkEngineFlagsTest {

    @TempDir
    Path dir;

    private CliRunner train(String... extra) {
        String[] base = {"train", "--data", "digits", "--model", "softmax", "--solver", "adam", "--epochs", "1", "--out",
            dir.resolve("m").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRunner.run(args);
    }

    @Test
    void unknownEngineIsNamed() {
        CliRunner r = train("--engine", "flink");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--engine: flink (expected: local or spark)");
    }

    @Test
    void masterNeedsTheSparkEngine() {
        CliRunner r = train("--master", "local[2]");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--master without --engine spark");
    }

    @Test
    void whatABarrierStageDoesNotDoIsRefusedByName() {
        assertThat(train("--engine", "spark", "--validation-split", "0.1").err())
                .contains("--engine spark with --validation-split");
        assertThat(train("--engine", "spark", "--allreduce", "float32").err())
                .contains("--engine spark with --allreduce float32");
        assertThat(train("--engine", "spark", "--rank", "0", "--world-size", "2", "--rendezvous", "127.0.0.1:1").err())
                .contains("--engine spark with --rank/--world-size/--rendezvous");
        assertThat(train("--engine", "spark", "--workers", "9").err())
                .contains("--workers: 9 (expected: at most --shards, 8)");
        assertThat(Files.exists(dir.resolve("m"))).isFalse();
    }

    @Test
    void withoutTheSparkClasspathTheErrorSaysHowToGetIt() {
        assumeTrue(System.getenv(SparkEngine.CLASSPATH_ENV) == null, SparkEngine.CLASSPATH_ENV + " is set here");
        CliRunner r = train("--engine", "spark");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("--engine spark: RINGFOLD_SPARK_CLASSPATH is not set (expected: run through "
                + "./ringfold");
        assertThat(Files.exists(dir.resolve("m").resolve("model.rfm"))).isFalse();
    }
}
