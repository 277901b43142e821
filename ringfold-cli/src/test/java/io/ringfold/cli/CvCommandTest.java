package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.MaskSettings;
import io.ringfold.random.SplitMix64;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code ringfold cv} through the real command line: folds, metrics, determinism and its errors. */
class CvCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void digitsSoftmaxFoldsPartitionTheRowsAndTheSameSeedGivesTheSameResult() throws Exception {
        String[] args = {"cv", "--data", "digits", "--model", "softmax", "--folds", "3", "--seed", "1", "--json"};
        CliRunner a = CliRunner.run(args);
        assertThat(a.status()).as(a.err()).isZero();
        JsonNode ra = JSON.readTree(a.lastLine());
        assertThat(a.out().strip().lines().count()).as("--json prints one object").isEqualTo(1);
        assertThat(ra.get("k").asInt()).isEqualTo(3);
        assertThat(ra.get("stratified").asBoolean()).isTrue();
        JsonNode folds = ra.get("folds");
        assertThat(folds).hasSize(3);
        int held = 0;
        for (int f = 0; f < 3; f++) {
            JsonNode fold = folds.get(f);
            assertThat(fold.get("fold").asInt()).isEqualTo(f + 1);
            // Each fold trains on all the rows it does not hold out (no validation split by default).
            assertThat(fold.get("train_rows").asInt() + fold.get("test_rows").asInt()).isEqualTo(1797);
            held += fold.get("test_rows").asInt();
            assertThat(fold.get("accuracy").asDouble()).isGreaterThan(0.85);
            assertThat(fold.has("auc")).as("10 classes: no binary AUC").isFalse();
        }
        assertThat(held).as("the held-out folds cover the 1797 rows once").isEqualTo(1797);
        assertMeanAndStd(ra, "accuracy");
        assertMeanAndStd(ra, "log_loss");
        assertThat(ra.get("mean").has("rmse")).isFalse();

        JsonNode rb = JSON.readTree(CliRunner.run(args).lastLine());
        assertThat(withoutSeconds(rb)).isEqualTo(withoutSeconds(ra));
        args[args.length - 2] = "2";
        JsonNode other = JSON.readTree(CliRunner.run(args).lastLine());
        assertThat(other.get("folds")).isNotEqualTo(ra.get("folds"));
    }

    @Test
    void imbalancedBinaryFoldsEachHoldBothClassesAndReportAucAndPrAuc() throws Exception {
        Path csv = binaryCsv(40, 10, 7);
        CliRunner r = CliRunner.run("cv", "--data", "csv:" + csv + "?label=y", "--model", "logistic", "--folds", "5",
                "--seed", "3");
        assertThat(r.status()).as(r.err()).isZero();
        List<String> lines = r.out().strip().lines().toList();
        assertThat(lines.get(1)).isEqualTo("5 folds, stratified by class, seed 3");
        List<String> foldLines = lines.stream().filter(l -> l.startsWith("fold ")).toList();
        assertThat(foldLines).hasSize(5);
        for (String l : foldLines) {
            // 10 positives in 5 stratified folds: 2 in each, so every fold's AUC and PR AUC is defined.
            assertThat(l).contains("trained on 32 rows, tested on 8: accuracy ").contains("  auc ")
                    .contains("  pr auc ");
        }
        assertThat(lines.get(lines.size() - 2)).startsWith("mean: accuracy ").contains("  auc ").contains("  pr auc ");
        assertThat(lines.get(lines.size() - 1)).startsWith("std:  accuracy ");

        JsonNode j = JSON.readTree(CliRunner.run("cv", "--data", "csv:" + csv + "?label=y", "--model", "logistic",
                "--folds", "5", "--seed", "3", "--json").lastLine());
        assertMeanAndStd(j, "auc");
        assertMeanAndStd(j, "pr_auc");
    }

    @Test
    void regressionUsesShuffledFoldsAndReportsRmseMaeR2() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        SplitMix64 rng = new SplitMix64(11);
        for (int i = 0; i < 60; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(3 * a - b + 0.1 * rng.nextGaussian()).append('\n');
        }
        Path file = Files.writeString(tmp.resolve("reg.csv"), csv);
        CliRunner r = CliRunner.run("cv", "--data", "csv:" + file + "?label=y", "--model", "linear", "--folds", "4",
                "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.lastLine());
        assertThat(j.get("stratified").asBoolean()).isFalse();
        for (JsonNode fold : j.get("folds")) {
            assertThat(fold.get("test_rows").asInt()).isEqualTo(15);
            assertThat(fold.has("accuracy")).isFalse();
        }
        assertMeanAndStd(j, "rmse");
        assertMeanAndStd(j, "mae");
        assertMeanAndStd(j, "r2");
        assertThat(j.get("mean").get("r2").asDouble()).isGreaterThan(0.9);
    }

    @Test
    void badFoldsExitWithTwoNamingTheFlag() throws Exception {
        Path csv = binaryCsv(12, 3, 1);
        String spec = "csv:" + csv + "?label=y";
        CliRunner one = CliRunner.run("cv", "--data", spec, "--folds", "1");
        assertThat(one.status()).isEqualTo(2);
        assertThat(one.err()).startsWith("ringfold: --folds: 1 (expected: at least 2)\n");
        CliRunner rows = CliRunner.run("cv", "--data", spec, "--model", "linear", "--folds", "13");
        assertThat(rows.status()).isEqualTo(2);
        assertThat(rows.err()).startsWith("ringfold: --folds: 13 (expected: at most 12, the number of rows)\n");
        CliRunner classRows = CliRunner.run("cv", "--data", spec, "--model", "logistic", "--folds", "4");
        assertThat(classRows.status()).isEqualTo(2);
        assertThat(classRows.err()).startsWith("ringfold: --folds: 4 (expected: at most 3, the rows of class 1, the "
                + "smallest class, so that every fold has every class)\n");
        CliRunner lr = CliRunner.run("cv", "--data", spec, "--lr", "-0.1");
        assertThat(lr.status()).isEqualTo(2);
        assertThat(lr.err()).startsWith("ringfold: --lr: -0.1 (expected: > 0)");
    }

    @Test
    void takesEveryHyperparameterFlagOfTrain() {
        CommandLine root = new CommandLine(new RingfoldCommand());
        Set<String> cv = optionNames(root.getSubcommands().get("cv"));
        Set<String> train = optionNames(root.getSubcommands().get("train"));
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            assertThat(cv).contains(h.flag());
            assertThat(train).contains(h.flag());
        }
        assertThat(cv).contains("--data", "--folds", "--seed", "--json", "--architecture");
        // The masks' flags: train's own declaration (MaskSettings, which the Spark Params share).
        for (String command : List.of("train", "preprocess", "cv")) {
            CommandLine.Model.CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
            assertThat(spec.findOption(MaskSettings.MASK_FLAG).description()).as(command)
                    .containsExactly(MaskSettings.MASK_HELP);
            assertThat(spec.findOption(MaskSettings.KEY_FILE_FLAG).description()).as(command)
                    .containsExactly(MaskSettings.KEY_FILE_HELP);
        }
    }

    /**
     * {@code cv --mask} folds the data train would read: every fold's metrics equal those of cv on a copy of the
     * file masked by hand here (the name column removed, HMAC-SHA256 of "email", a zero byte and the value under
     * the key, its first 16 bytes in hex, as docs/privacy.md specifies; ages to the lower bound of their decade),
     * and nothing it prints holds a raw value of a masked column. An hmac mask without its key, and a stored
     * preprocessing, are refused.
     */
    @Test
    void masksSensitiveColumnsInEveryFoldAsTrainDoes() throws Exception {
        long seed = 23;
        System.out.println("masksSensitiveColumnsInEveryFoldAsTrainDoes seed " + seed);
        SplitMix64 rng = new SplitMix64(seed);
        byte[] key = "0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path keyFile = Files.write(tmp.resolve("mask.key"), key);
        StringBuilder raw = new StringBuilder("name,email,age,income,y\n");
        StringBuilder byHand = new StringBuilder("email,age,income,y\n");
        List<String> secrets = new java.util.ArrayList<>();
        for (int i = 0; i < 90; i++) {
            int person = rng.nextInt(6);
            String name = "Ottoline Secretname" + person;
            String email = "ottoline" + person + "@cv-mask.example";
            int age = 20 + rng.nextInt(50);
            int income = 20 + rng.nextInt(80);
            String y = income + age / 2 + 10 * (person % 2) > 80 ? "1" : "0";
            secrets.addAll(List.of(name, email));
            raw.append(String.join(",", name, email, Integer.toString(age), Integer.toString(income), y)).append('\n');
            byHand.append(String.join(",", hmac(key, "email", email), Integer.toString(age / 10 * 10),
                    Integer.toString(income), y)).append('\n');
        }
        Path rawCsv = Files.writeString(tmp.resolve("people.csv"), raw);
        Path maskedCsv = Files.writeString(tmp.resolve("masked-by-hand.csv"), byHand);
        String[] common = {"--model", "logistic", "--folds", "3", "--seed", "5", "--json"};

        CliRunner masked = CliRunner.run(concat(new String[] {"cv", "--data", "csv:" + rawCsv + "?label=y",
                "--mask", "name=drop,email=hmac,age=bucket(10)", "--mask-key-file", keyFile.toString()}, common));
        assertThat(masked.status()).as(masked.err()).isZero();
        CliRunner reference = CliRunner.run(concat(new String[] {"cv", "--data", "csv:" + maskedCsv
                + "?label=y&categorical=email"}, common));
        assertThat(reference.status()).as(reference.err()).isZero();
        JsonNode m = JSON.readTree(masked.lastLine());
        assertThat(m.get("mask").asText()).isEqualTo("name=drop,email=hmac,age=bucket(10)");
        assertThat(m.get("folds")).isEqualTo(JSON.readTree(reference.lastLine()).get("folds"));
        CliRunner human = CliRunner.run("cv", "--data", "csv:" + rawCsv + "?label=y", "--mask",
                "name=drop,email=hmac,age=bucket(10)", "--mask-key-file", keyFile.toString(), "--model", "logistic",
                "--folds", "3");
        assertThat(human.status()).as(human.err()).isZero();
        assertThat(human.out()).contains("masked name=drop,email=hmac,age=bucket(10)");
        for (String secret : secrets) {
            for (CliRunner r : List.of(masked, human)) {
                assertThat(r.out() + r.err()).doesNotContain(secret);
            }
        }
        assertThat(masked.out() + human.out()).doesNotContain(new String(key, java.nio.charset.StandardCharsets.US_ASCII));

        CliRunner noKey = CliRunner.run("cv", "--data", "csv:" + rawCsv + "?label=y", "--mask", "email=hmac");
        assertThat(noKey.status()).isEqualTo(2);
        assertThat(noKey.err()).contains("--mask: columns [email] are hmac (expected: --mask-key-file FILE with the "
                + "secret key)");
        CliRunner stored = CliRunner.run("cv", "--data", "csv:" + rawCsv + "?label=y", "--preprocessing",
                tmp.toString());
        assertThat(stored.status()).isEqualTo(2);
        assertThat(stored.err()).contains("--preprocessing: " + tmp + " (expected: none; each fold fits its own "
                + "preprocessing, and a stored one was fitted on rows that some fold holds out)");
    }

    /** The pseudonym docs/privacy.md specifies, computed with the JDK alone. */
    private static String hmac(byte[] key, String column, String value) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        byte[] c = column.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] v = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] message = new byte[c.length + 1 + v.length];
        System.arraycopy(c, 0, message, 0, c.length);
        System.arraycopy(v, 0, message, c.length + 1, v.length);
        return java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(mac.doFinal(message), 16));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** mean and std in the JSON are the mean and the population standard deviation of the folds' values. */
    private static void assertMeanAndStd(JsonNode r, String metric) {
        double sum = 0;
        int k = r.get("folds").size();
        for (JsonNode fold : r.get("folds")) {
            sum += fold.get(metric).asDouble();
        }
        double mean = sum / k;
        double squares = 0;
        for (JsonNode fold : r.get("folds")) {
            squares += Math.pow(fold.get(metric).asDouble() - mean, 2);
        }
        assertThat(r.get("mean").get(metric).asDouble()).as("mean " + metric).isCloseTo(mean, within(1e-12));
        assertThat(r.get("std").get(metric).asDouble()).as("std " + metric)
                .isCloseTo(Math.sqrt(squares / k), within(1e-12));
    }

    private static JsonNode withoutSeconds(JsonNode r) {
        ObjectNode copy = r.deepCopy();
        copy.remove("seconds");
        return copy;
    }

    private static Set<String> optionNames(CommandLine c) {
        return c.getCommandSpec().options().stream().map(o -> o.longestName()).collect(Collectors.toSet());
    }

    /** {@code rows} rows of a, b and a label y, {@code positives} of them 1 and shifted in a (separable-ish). */
    private Path binaryCsv(int rows, int positives, long seed) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = 0; i < rows; i++) {
            int y = i < positives ? 1 : 0;
            csv.append(rng.nextGaussian() + 1.5 * y).append(',').append(rng.nextGaussian()).append(',').append(y)
                    .append('\n');
        }
        return Files.writeString(tmp.resolve("binary-" + rows + ".csv"), csv);
    }
}
