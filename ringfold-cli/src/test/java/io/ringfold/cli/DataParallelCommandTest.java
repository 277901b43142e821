package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code train --workers N}: the same parameter digest for every worker count, telemetry per rank. */
class DataParallelCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private JsonNode train(String... extra) throws Exception {
        String[] base = {"train", "--data", "digits", "--model", "mlp", "--hidden", "32", "--epochs", "5", "--seed", "3",
                "--batch-size", "64", "--lr", "0.01", "--json", "--out", tmp.resolve("m" + extra.length + String.join("", extra)).toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRunner r = CliRunner.run(args);
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine());
    }

    @Test
    void oneTwoAndThreeWorkerThreadsGiveTheSameDigest() throws Exception {
        JsonNode one = train("--workers", "1");
        JsonNode two = train("--workers", "2");
        JsonNode three = train("--workers", "3");
        assertThat(two.get("parameter_digest").asText()).isEqualTo(one.get("parameter_digest").asText());
        assertThat(three.get("parameter_digest").asText()).isEqualTo(one.get("parameter_digest").asText());
        assertThat(three.get("workers").asInt()).isEqualTo(3);
        assertThat(three.get("shards").asInt()).isEqualTo(8);
        assertThat(three.get("telemetry")).hasSize(3);
        assertThat(three.get("telemetry").get(2).get("bytes_sent").asLong()).isPositive();
        assertThat(one.get("test_accuracy").asDouble()).isGreaterThan(0.9);
    }

    /** The workers line says which fixed-point kernel runs; under CI (gcc installed) it must be the shim's. */
    @Test
    void workersLineNamesTheFixedPointKernel() {
        CliRunner r = CliRunner.run("train", "--data", "digits", "--epochs", "1", "--workers", "2", "--out",
                tmp.resolve("k").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("workers: 2 threads, 8 logical shards, BLAS one thread per worker, "
                + "fixed-point sums (native|java \\(.+\\))");
        if ("true".equals(System.getenv("CI"))) {
            assertThat(r.out()).contains("fixed-point sums native");
        }
        CliRunner f32 = CliRunner.run("train", "--data", "digits", "--epochs", "1", "--workers", "2", "--allreduce",
                "float32", "--out", tmp.resolve("f").toString());
        assertThat(f32.out()).contains("BLAS one thread per worker\n").doesNotContain("fixed-point");
    }

    @Test
    void workerAndShardFlagsAreValidated() {
        CliRunner tooMany = CliRunner.run("train", "--data", "digits", "--workers", "9", "--out", tmp.toString());
        assertThat(tooMany.status()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--workers: 9 (expected: at most --shards, 8)");
        CliRunner shardsAlone = CliRunner.run("train", "--data", "digits", "--shards", "4", "--out", tmp.toString());
        assertThat(shardsAlone.status()).isEqualTo(2);
        assertThat(shardsAlone.err()).contains("(expected: with --workers N)");
        CliRunner zero = CliRunner.run("train", "--data", "digits", "--workers", "0", "--out", tmp.toString());
        assertThat(zero.status()).isEqualTo(2);
        assertThat(zero.err()).contains("--workers: 0 (expected: > 0)");
    }
}
