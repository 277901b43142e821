package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.model.ModelCodec;
import io.ringfold.train.StoredPreprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringfold preprocess} and {@code train --preprocessing DIR}: a model trained with the stored preprocessing
 * is the model {@code train} makes fitting the preprocessing itself on the same data and flags (same parameter
 * digest, same preprocessor), and a stored preprocessing that does not fit the flags or the data is refused in
 * one line.
 */
class PreprocessCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Rows with missing numbers, a category, an e-mail to pseudonymise and an age to bucket. */
    private Path csv(long seed, int n, boolean withCity) throws IOException {
        System.out.println("PreprocessCommandTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("email,age," + (withCity ? "city," : "") + "income,y\n");
        String[] cities = {"Oslo", "Lima", "Pune", ""};
        for (int i = 0; i < n; i++) {
            double income = 10 + random.nextInt(90);
            int age = 18 + random.nextInt(60);
            String cell = random.nextInt(10) == 0 ? "NA" : Double.toString(income);
            b.append("u").append(random.nextInt(15)).append("@x.org,").append(age).append(',')
                    .append(withCity ? cities[random.nextInt(4)] + "," : "").append(cell).append(',')
                    .append(income + age > 80 ? "hi" : "lo").append('\n');
        }
        return Files.writeString(tmp.resolve(withCity ? "people.csv" : "narrow.csv"), b);
    }

    private Path key() throws IOException {
        return Files.writeString(tmp.resolve("k"), "an hmac key of more than sixteen bytes");
    }

    @Test
    void trainingWithTheStoredPreprocessingGivesTheModelTrainingFitsItself() throws Exception {
        String data = "csv:" + csv(11L, 120, true) + "?label=y&categorical=city";
        String key = key().toString();
        Path stored = tmp.resolve("pre");
        String[] common = {"--seed", "7", "--validation-split", "0.2", "--impute", "median"};
        CliRunner pre = CliRunner.run(concat(new String[] {"preprocess", "--data", data, "--mask",
                "email=hmac,age=bucket(5)", "--mask-key-file", key, "--out", stored.toString(), "--json"}, common));
        assertThat(pre.status()).as(pre.err()).isZero();
        JsonNode file = JSON.readTree(stored.resolve(StoredPreprocessing.FILE_NAME).toFile());
        assertThat(file.path("format").asText()).isEqualTo("ringfold-preprocessing");
        assertThat(file.at("/provenance/rows").asInt()).isEqualTo(120);
        // 120 rows: 24 held out for the test, then 19 of the 96 for validation.
        assertThat(file.at("/provenance/trainRows").asInt()).isEqualTo(77);
        assertThat(file.at("/options/impute").asText()).isEqualTo("median");
        assertThat(file.at("/options/mask").asText()).isEqualTo("email=hmac,age=bucket(5)");
        assertThat(file.path("sha256").asText()).isEqualTo(JSON.readTree(pre.lastLine()).path("sha256").asText());

        String[] net = {"--hidden", "8", "--epochs", "3", "--batch-size", "16"};
        CliRunner withStored = CliRunner.run(concat(new String[] {"train", "--data", data, "--preprocessing",
                stored.toString(), "--mask-key-file", key, "--out", tmp.resolve("a").toString(), "--json",
                "--seed", "7", "--validation-split", "0.2"}, net));
        CliRunner fitting = CliRunner.run(concat(concat(new String[] {"train", "--data", data, "--mask",
                "email=hmac,age=bucket(5)", "--mask-key-file", key, "--out", tmp.resolve("b").toString(), "--json"},
                common), net));
        assertThat(withStored.status()).as(withStored.err()).isZero();
        assertThat(fitting.status()).as(fitting.err()).isZero();
        assertThat(JSON.readTree(withStored.lastLine()).path("parameter_digest").asText())
                .isEqualTo(JSON.readTree(fitting.lastLine()).path("parameter_digest").asText());
        var a = ModelCodec.load(tmp.resolve("a"));
        var b = ModelCodec.load(tmp.resolve("b"));
        assertThat(a.preprocessor()).isEqualTo(b.preprocessor());
        assertThat(a.provenance().hyperparameters()).isEqualTo(b.provenance().hyperparameters());
    }

    @Test
    void flagsAndDataThatDoNotFitTheStoredPreprocessingAreRefusedInOneLine() throws Exception {
        String data = "csv:" + csv(5L, 60, true) + "?label=y&categorical=city";
        String key = key().toString();
        Path stored = tmp.resolve("pre");
        CliRunner pre = CliRunner.run("preprocess", "--data", data, "--mask", "email=hmac", "--mask-key-file", key,
                "--impute", "median", "--out", stored.toString());
        assertThat(pre.status()).as(pre.err()).isZero();
        String o = tmp.resolve("m").toString();
        String s = stored.toString();
        assertOneLine(2, "ringfold: --impute: mean contradicts the stored preprocessing (expected: its own median, or"
                + " no --impute)", "train", "--data", data, "--preprocessing", s, "--mask-key-file", key, "--impute",
                "mean", "--out", o);
        assertOneLine(2, "ringfold: --mask: email=drop contradicts the stored preprocessing (expected: its own"
                + " email=hmac, or no --mask)", "train", "--data", data, "--preprocessing", s, "--mask-key-file", key,
                "--mask", "email=drop", "--out", o);
        assertOneLine(2, "ringfold: --preprocessing: columns [email] are masked with hmac (expected: --mask-key-file"
                + " FILE with the key it was fitted with)", "train", "--data", data, "--preprocessing", s, "--out", o);
        Path narrow = csv(5L, 60, false);
        assertOneLine(1, "ringfold: error: " + narrow + ":1: feature columns [email, age, income] (expected: the"
                + " training set's [email, age, city, income])", "train", "--data", "csv:" + narrow + "?label=y",
                "--preprocessing", s, "--mask-key-file", key, "--out", o);
        Path file = stored.resolve(StoredPreprocessing.FILE_NAME);
        Files.writeString(file, Files.readString(file).replace("\"median\"", "\"mean\""));
        CliRunner tampered = CliRunner.run("train", "--data", data, "--preprocessing", s, "--mask-key-file", key,
                "--out", o);
        assertThat(tampered.status()).isEqualTo(1);
        assertThat(tampered.err().strip()).startsWith("ringfold: error: " + file + ": sha256 ")
                .endsWith("the preprocessor's own; the file was changed)").doesNotContain("\n");
        assertOneLine(1, "ringfold: error: " + tmp.resolve("none") + ": no such"
                + " file (expected: a directory written by ringfold preprocess --out DIR)", "train", "--data", data,
                "--preprocessing", tmp.resolve("none").toString(), "--out", o);
    }

    private static void assertOneLine(int status, String message, String... args) {
        CliRunner r = CliRunner.run(args);
        assertThat(r.status()).as(r.err()).isEqualTo(status);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo(message);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
