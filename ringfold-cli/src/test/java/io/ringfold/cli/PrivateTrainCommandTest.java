package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.privacy.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code train --dp-clip}: the run says what it does and the ε spent after each epoch, {@code --json} reports
 * {@code dp_epsilon} and {@code dp_delta} (the accountant's ε for the steps run), the model file's provenance
 * keeps the guarantee and {@code inspect} shows it; worker threads and {@code launch} processes give the same
 * digest; the flags that would break the guarantee are refused in one line.
 */
class PrivateTrainCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private List<String> train(String out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "16", "--epochs", "2",
                "--batch-size", "64", "--lr", "0.01", "--seed", "5", "--dp-clip", "1.0", "--dp-noise-multiplier", "1.1",
                "--json", "--out", tmp.resolve(out).toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void epsilonIsReportedEachEpochInTheJsonTheModelFileAndInspect() throws Exception {
        CliRunner r = CliRunner.run(train("m").toArray(String[]::new));
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.lastLine());
        int rows = j.get("train_rows").asInt(); // digits without a test part: 80% of 1797
        double q = 64.0 / rows;
        long steps = 2 * RdpAccountant.stepsPerEpoch(rows, 64);
        assertThat(j.get("dp_delta").asDouble()).isEqualTo(1e-4);
        assertThat(j.get("dp_epsilon").asDouble()).isEqualTo(RdpAccountant.epsilon(q, 1.1, steps, 1e-4));
        assertThat(r.out()).contains("private: DP-SGD, clip 1.0, noise multiplier 1.1000")
                .contains("noise seeded by (seed, step): reproducible")
                .containsPattern("epoch 1/2 .* ε \\d+\\.\\d{3}")
                .containsPattern(String.format("epoch 2/2 .* ε %.3f", j.get("dp_epsilon").asDouble()));

        CliRunner inspect = CliRunner.run("inspect", tmp.resolve("m").toString(), "--json");
        assertThat(inspect.status()).as(inspect.err()).isZero();
        JsonNode i = JSON.readTree(inspect.lastLine());
        assertThat(i.get("dp_epsilon").asDouble()).isEqualTo(j.get("dp_epsilon").asDouble());
        assertThat(i.get("dp_delta").asDouble()).isEqualTo(1e-4);
        JsonNode privacy = i.get("provenance").get("privacy");
        assertThat(privacy.get("noise_multiplier").asDouble()).isEqualTo(1.1);
        assertThat(privacy.get("steps").asLong()).isEqualTo(steps);
        assertThat(privacy.get("sampling").asText()).isEqualTo("poisson");
        CliRunner text = CliRunner.run("inspect", tmp.resolve("m").toString());
        assertThat(text.out()).containsPattern("privacy: +\\(ε \\d+\\.\\d{3}, δ 1.0E-4\\)-differentially private");
    }

    @Test
    void threadsAndProcessesGiveOneDigest() throws Exception {
        CliRunner one = CliRunner.run(train("w1", "--workers", "1").toArray(String[]::new));
        assertThat(one.status()).as(one.err()).isZero();
        String expected = JSON.readTree(one.lastLine()).get("parameter_digest").asText();
        CliRunner three = CliRunner.run(train("w3", "--workers", "3").toArray(String[]::new));
        assertThat(JSON.readTree(three.lastLine()).get("parameter_digest").asText()).isEqualTo(expected);
        List<String> launch = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
        launch.addAll(train("p2"));
        CliRunner p = CliRunner.run(launch.toArray(String[]::new));
        assertThat(p.status()).as(p.err()).isZero();
        assertThat(JSON.readTree(p.lastLine()).get("parameter_digest").asText()).as("launch --nproc 2").isEqualTo(expected);
    }

    @Test
    void flagsThatBreakTheGuaranteeAreRefusedInOneLine() {
        assertRefused(List.of("--workers", "2", "--allreduce", "float32"), "--allreduce float32 in a private run");
        assertRefused(List.of("--pipeline-stages", "2"), "--pipeline-stages in a private run");
        assertRefused(List.of("--layers", "flatten,dense(8),batchnorm"), "layers[2] batchnorm: batchnorm in a private run");
        CliRunner r = CliRunner.run("train", "--data", "digits", "--dp-clip", "1", "--out", tmp.resolve("x").toString());
        assertThat(r.status()).isNotZero();
        assertThat(r.err()).contains("--dp-noise-multiplier");
        CliRunner s = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--solver", "lbfgs", "--dp-clip",
                "1", "--dp-epsilon", "3", "--out", tmp.resolve("y").toString());
        assertThat(s.status()).isNotZero();
        assertThat(s.err()).contains("sgd, adam or auto in a private run");
    }

    private void assertRefused(List<String> flags, String message) {
        List<String> args = new ArrayList<>(train("refused"));
        args.remove("--hidden");
        args.remove("16");
        args.addAll(flags);
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).as(flags.toString()).isNotZero();
        assertThat(r.err()).as(flags.toString()).contains(message);
        assertThat(r.err().strip().lines().count()).as(r.err()).isLessThanOrEqualTo(2);
    }
}
