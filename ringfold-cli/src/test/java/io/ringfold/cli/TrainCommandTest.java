package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The acceptance bars on the bundled digits data, through the real command line. */
class TrainCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void digitsMlpReachesTheBarAndTheSameSeedGivesTheSameDigest() throws Exception {
        String[] args = {"train", "--data", "digits", "--model", "mlp", "--hidden", "64", "--epochs", "30",
                "--seed", "1", "--json", "--out"};
        CliRunner a = CliRunner.run(concat(args, tmp.resolve("a").toString()));
        CliRunner b = CliRunner.run(concat(args, tmp.resolve("b").toString()));
        assertThat(a.status()).as(a.err()).isZero();
        JsonNode ra = JSON.readTree(a.lastLine());
        JsonNode rb = JSON.readTree(b.lastLine());
        assertThat(ra.get("test_accuracy").asDouble()).isGreaterThanOrEqualTo(0.95);
        assertThat(ra.get("epochs").asInt()).isEqualTo(30);
        assertThat(ra.get("train_seconds").asDouble()).isPositive();
        assertThat(ra.get("samples_per_second").asDouble()).isPositive();
        assertThat(Path.of(ra.get("model_path").asText())).exists();
        assertThat(rb.get("parameter_digest").asText()).isEqualTo(ra.get("parameter_digest").asText());

        CliRunner inspect = CliRunner.run("inspect", tmp.resolve("a").toString(), "--json");
        assertThat(JSON.readTree(inspect.lastLine()).get("parameter_digest").asText())
                .isEqualTo(ra.get("parameter_digest").asText());
        CliRunner other = CliRunner.run("train", "--data", "digits", "--hidden", "64", "--epochs", "2", "--seed", "2",
                "--json", "--out", tmp.resolve("c").toString());
        assertThat(JSON.readTree(other.lastLine()).get("parameter_digest").asText())
                .isNotEqualTo(ra.get("parameter_digest").asText());
    }

    @Test
    void digitsSoftmaxRegressionReachesTheBar() throws Exception {
        CliRunner r = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--seed", "1", "--json", "--out", tmp.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.lastLine()).get("test_accuracy").asDouble()).isGreaterThanOrEqualTo(0.93);
    }

    /** A flag the chosen way of fitting would ignore is a usage error, not silently dropped. */
    @Test
    void flagsTheSolverWouldIgnoreAreRefused() throws Exception {
        CliRunner epochs = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--epochs", "5", "--out",
                tmp.resolve("a").toString());
        assertThat(epochs.status()).isEqualTo(2);
        assertThat(epochs.err()).contains("--epochs: not used by solver auto for model softmax")
                .contains("add --solver sgd or adam");
        CliRunner l2 = CliRunner.run("train", "--data", "digits", "--hidden", "8", "--l2", "0.1", "--out",
                tmp.resolve("b").toString());
        assertThat(l2.status()).isEqualTo(2);
        assertThat(l2.err()).contains("--l2: used only by the full-batch solvers").contains("--weight-decay");
        CliRunner normal = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--solver", "normal",
                "--out", tmp.resolve("c").toString());
        assertThat(normal.status()).isEqualTo(2);
        assertThat(normal.err()).contains("solver: normal (expected: not normal for model softmax");
    }

    @Test
    void seedExampleNetworkRegressesWithMseAndAdam() throws Exception {
        // The seed's example: Dense(10, relu) then Dense(1), MSE, Adam; here y = 2a - b + 0.5 on a CSV file.
        StringBuilder csv = new StringBuilder("a,b,y\n");
        io.ringfold.random.SplitMix64 rng = new io.ringfold.random.SplitMix64(5);
        for (int i = 0; i < 400; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(2 * a - b + 0.5).append('\n');
        }
        Path file = tmp.resolve("lin.csv");
        Files.writeString(file, csv);
        CliRunner r = CliRunner.run("train", "--data", "csv:" + file + "?label=y", "--model", "mlp", "--hidden", "10",
                "--activation", "relu", "--loss", "mse", "--optimizer", "adam", "--lr", "0.01", "--epochs", "100",
                "--batch-size", "32", "--seed", "1", "--json", "--out", tmp.resolve("m").toString());
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode res = JSON.readTree(r.lastLine());
        assertThat(res.get("test_r2").asDouble()).isGreaterThan(0.99);
        assertThat(res.has("test_accuracy")).isFalse();
    }

    @Test
    void badFlagsExitWithTwoAndNameTheFlag() {
        CliRunner lr = CliRunner.run("train", "--data", "digits", "--lr", "-0.1", "--out", tmp.toString());
        assertThat(lr.status()).isEqualTo(2);
        assertThat(lr.err()).startsWith("ringfold: --lr: -0.1 (expected: > 0)");
        CliRunner act = CliRunner.run("train", "--data", "digits", "--activation", "swish", "--out", tmp.toString());
        assertThat(act.status()).isEqualTo(2);
        assertThat(act.err()).contains("--activation: swish (expected: relu, tanh, sigmoid or identity)");
        CliRunner unknown = CliRunner.run("train", "--data", "digits", "--epocs", "3", "--out", tmp.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("--epocs");
        CliRunner missing = CliRunner.run("train", "--data", "digits");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--out");
    }

    @Test
    void textFlagsNeedATextColumnAndValidValues() throws Exception {
        CliRunner noText = CliRunner.run("train", "--data", "digits", "--vocab-size", "500", "--out", tmp.toString());
        assertThat(noText.status()).isEqualTo(2);
        assertThat(noText.err()).startsWith("ringfold: --vocab-size: the data has no text column (expected: --data"
                + " csv:PATH?text=COLUMN)");
        Path mail = Files.writeString(tmp.resolve("mail.csv"), "label,text\nspam,win\nham,hello\n");
        String spec = "csv:" + mail + "?label=label&text=text";
        CliRunner ngrams = CliRunner.run("train", "--data", spec, "--ngrams", "3", "--out", tmp.toString());
        assertThat(ngrams.status()).isEqualTo(2);
        assertThat(ngrams.err()).startsWith("ringfold: --ngrams: 3 (expected: 1 or 2)");
        CliRunner size = CliRunner.run("train", "--data", spec, "--vocab-size", "0", "--out", tmp.toString());
        assertThat(size.status()).isEqualTo(2);
        assertThat(size.err()).startsWith("ringfold: --vocab-size: 0 (expected: 1 to 1000000)");
    }

    @Test
    void anUnclosedQuoteExitsWithOneNamingWhereItOpened() throws Exception {
        Path mail = Files.writeString(tmp.resolve("mail.csv"), "label,text\nspam,\"win\r\nnow\"\nham,\"hello,\nbye\n");
        CliRunner r = CliRunner.run("train", "--data", "csv:" + mail + "?label=label&text=text", "--out",
                tmp.resolve("m").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("ringfold: error: " + mail + ":4: the quote opening cell 2 ('text') is not"
                + " closed before the end of the file (expected: a closing '\"', and \"\" for a quote inside the cell)");
    }

    @Test
    void malformedDataExitsWithOneNamingFileAndLine() throws Exception {
        Path ragged = tmp.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,label\n1,2,0\n3,1\n");
        CliRunner r = CliRunner.run("train", "--data", "csv:" + ragged, "--out", tmp.resolve("m").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("ringfold: error: " + ragged + ":3:");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);

        Path nan = tmp.resolve("nan.csv");
        Files.writeString(nan, "a,b,label\n1,2,0\n3,Infinity,1\n");
        CliRunner n = CliRunner.run("train", "--data", "csv:" + nan, "--out", tmp.resolve("m").toString());
        assertThat(n.status()).isEqualTo(1);
        assertThat(n.err()).contains(nan + ":3:");
        assertThat(tmp.resolve("m")).doesNotExist();
    }

    @Test
    void aTestLabelUnseenInTrainingIsRejected() throws Exception {
        Path train = tmp.resolve("train.csv");
        Path test = tmp.resolve("test.csv");
        Files.writeString(train, "a,label\n1,0\n2,1\n3,0\n4,1\n");
        Files.writeString(test, "a,label\n1,0\n2,7\n");
        CliRunner r = CliRunner.run("train", "--data", "csv:" + train, "--test", "csv:" + test, "--model", "softmax",
                "--out", tmp.resolve("m").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("test label 7.0 at row 2").contains("expected: a class index 0..1");
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
