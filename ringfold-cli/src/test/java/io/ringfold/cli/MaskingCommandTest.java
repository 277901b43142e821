package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.MaskKey;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masked columns end to end: a real {@code ringfold train} process with {@code --mask}, then a real
 * {@code ringfold serve} process on its model, and every output they leave (the model directory's files, the
 * run record, {@code runs show} and {@code inspect}, their stdout and stderr, the server's replies and log) is
 * searched for the raw values of the masked columns; an unmasked column's values are searched too and found,
 * so the search does read what it searches. The server masks raw requests as training masked raw cells:
 * its predictions equal {@code ringfold predict}'s.
 */
class MaskingCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASK = "name=drop,email=hmac,age=bucket(10),born=date(month)";
    /** A cell of a masked column that no mask can read; it must not appear in any message. */
    private static final String BAD_AGE = "SECRET-AGE-7731";

    @TempDir
    Path tmp;

    /** People with distinctive raw values; the label depends on income and age. */
    private record People(Path csv, List<String> maskedValues, List<String> cities, List<String[]> rows) {
    }

    private People people(long seed, int n) throws IOException {
        System.out.println("MaskingCommandTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        String[] cities = {"Oslo", "Lima", "Pune"};
        List<String> masked = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        StringBuilder csv = new StringBuilder("name,email,age,born,city,income,y\n");
        for (int i = 0; i < n; i++) {
            String name = "Quimby Sekretova" + i;
            String email = "hidden.user" + i + "@mask-test.example";
            String age = String.format(Locale.ROOT, "%d.%04d", 18 + random.nextInt(60), 1000 + random.nextInt(9000));
            String born = String.format(Locale.ROOT, "%d-%02d-%02d", 1940 + random.nextInt(60), 1 + random.nextInt(12),
                    10 + random.nextInt(18));
            String city = cities[random.nextInt(3)];
            double income = 20 + random.nextInt(80);
            String y = income + Double.parseDouble(age) / 2 > 75 ? "yes" : "no";
            masked.addAll(List.of(name, email, age, born));
            rows.add(new String[] {email, age, born, city, Double.toString(income)});
            csv.append(String.join(",", name, email, age, born, city, Double.toString(income), y)).append('\n');
        }
        return new People(Files.writeString(tmp.resolve("people.csv"), csv), masked, List.of(cities), rows);
    }

    private Path key() throws IOException {
        return Files.writeString(tmp.resolve("mask.key"), "5f0c1a9e8b7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b\n");
    }

    private static String data(People p) {
        return "csv:" + p.csv() + "?label=y&categorical=city";
    }

    /** Runs the command line in a process of its own, as a user does; its stdout and stderr together. */
    private static String[] process(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                RingfoldCommand.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("ringfold " + args[0] + " did not end within 180 s");
        }
        return new String[] {Integer.toString(p.exitValue()), new String(out, StandardCharsets.UTF_8)};
    }

    /** Every file under {@code dir}, as Latin-1 so that any byte sequence is searchable (JobsCommandTest too). */
    static String allFiles(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(f).append('\n').append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    private static void assertNoRawValue(String what, String text, List<String> raw) {
        for (String v : raw) {
            assertThat(text).as("%s holds the raw value %s", what, v).doesNotContain(v);
        }
    }

    @Test
    void noRawValueOfAMaskedColumnReachesTheModelRunRecordOrOutput() throws Exception {
        People p = people(20261207L, 80);
        Path out = tmp.resolve("repo").resolve("people").resolve("1");
        String[] train = process("train", "--data", data(p), "--mask", MASK, "--mask-key-file", key().toString(),
                "--model", "logistic", "--seed", "5", "--out", out.toString(), "--json");
        assertThat(train[0]).as(train[1]).isEqualTo("0");
        String files = allFiles(out);
        CliRunner inspect = CliRunner.run("inspect", out.toString(), "--json");
        CliRunner runs = CliRunner.run("runs", "show", "--root", out.toString(),
                JSON.readTree(lastLine(train[1])).path("run_id").asText());
        assertThat(inspect.status()).as(inspect.err()).isZero();
        assertThat(runs.status()).as(runs.err()).isZero();
        for (String[] text : List.of(new String[] {"model directory", files}, new String[] {"train's output", train[1]},
                new String[] {"inspect", inspect.out() + inspect.err()}, new String[] {"runs show", runs.out() + runs.err()})) {
            assertNoRawValue(text[0], text[1], p.maskedValues());
        }
        // The search reads what it searches: the unmasked city names are in the model's vocabulary.
        assertThat(files).contains(p.cities().toArray(new String[0]));
        assertThat(files).contains("\"email\":\"hmac\"").contains("\"born\":\"date(month)\"");

        // A cell no mask can read is refused by line and column, without its value.
        Path bad = Files.writeString(tmp.resolve("bad.csv"), Files.readString(p.csv())
                .replaceFirst("\n(Quimby Sekretova3,[^,]*,)[^,]*,", "\n$1" + BAD_AGE + ","));
        String[] refused = process("train", "--data", "csv:" + bad + "?label=y&categorical=city", "--mask", MASK,
                "--mask-key-file", key().toString(), "--out", tmp.resolve("bad").toString());
        assertThat(refused[0]).isEqualTo("1");
        assertThat(refused[1]).contains("bad.csv:5: column 'age' (masked bucket(10)): not a finite number, value"
                + " withheld").doesNotContain(BAD_AGE);
        assertNoRawValue("a refused train's output", refused[1], p.maskedValues());
    }

    @Test
    void theServerMasksRawRequestsAsTrainingDidAndLogsNoRawValue() throws Exception {
        People p = people(77L, 60);
        Path repo = tmp.resolve("repo");
        Path out = repo.resolve("people").resolve("1");
        Path key = key();
        CliRunner train = CliRunner.run("train", "--data", data(p), "--mask", MASK, "--mask-key-file", key.toString(),
                "--model", "logistic", "--seed", "5", "--out", out.toString());
        assertThat(train.status()).as(train.err()).isZero();

        ObjectNode body = JSON.createObjectNode();
        ArrayNode instances = body.putArray("instances");
        for (String[] row : p.rows().subList(0, 12)) {
            ArrayNode r = instances.addArray();
            for (String cell : row) {
                r.add(cell);
            }
        }
        Path input = Files.writeString(tmp.resolve("rows.json"), JSON.writeValueAsString(body));
        CliRunner predict = CliRunner.run("predict", "--model", out.toString(), "--input", input.toString(),
                "--mask-key-file", key.toString());
        assertThat(predict.status()).as(predict.err()).isZero();
        JsonNode expected = JSON.readTree(predict.out());

        ObjectNode badBody = JSON.createObjectNode();
        badBody.putArray("instances").addArray().add(p.rows().get(0)[0]).add(BAD_AGE).add("1970-01-01").add("Oslo")
                .add("50");
        List<String> secrets = new ArrayList<>(p.maskedValues());
        secrets.add(BAD_AGE);
        try (ServerProcess server = ServerProcess.start(tmp.resolve("server.log"), List.of(), "--repository",
                repo.toString(), "--mask-key-file", key.toString(), "--access-log")) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> reply = post(client, server.httpPort, body);
            assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
            assertThat(JSON.readTree(reply.body())).isEqualTo(expected);
            HttpResponse<String> refused = post(client, server.httpPort, badBody);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("column 'age' (masked bucket(10)): not a finite number, value withheld");
            assertNoRawValue("the server's replies", reply.body() + refused.body(), secrets);
            assertThat(server.terminate(Duration.ofSeconds(60))).isNotEqualTo(-1);
            String log = server.logText();
            assertThat(log).contains("/v1/models/people:predict");
            assertNoRawValue("the server's log", log, secrets);
        }
    }

    private static HttpResponse<String> post(HttpClient client, int port, JsonNode body)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/people:predict"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aModelWithHmacColumnsDoesNotLoadWithoutItsKey() throws Exception {
        People p = people(3L, 40);
        Path repo = tmp.resolve("repo");
        Path out = repo.resolve("people").resolve("1");
        CliRunner train = CliRunner.run("train", "--data", data(p), "--mask", MASK, "--mask-key-file",
                key().toString(), "--model", "logistic", "--out", out.toString());
        assertThat(train.status()).as(train.err()).isZero();
        MaskKey other = MaskKey.of("a different key, long enough".getBytes(StandardCharsets.US_ASCII));
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO).withHost("127.0.0.1")
                .withPort(0).withGrpcPort(-1).withPollSeconds(0);
        for (ServerConfig c : List.of(config, config.withMaskKey(other))) {
            try (InferenceServer server = InferenceServer.start(c)) {
                HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/models/people")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String reason = JSON.readTree(status.body()).at("/model_version_status/0/status/error_message").asText();
                assertThat(reason).contains(c.maskKey() == null
                        ? "columns [email] are masked with hmac and the server has no key (expected: serve"
                        + " --mask-key-file FILE with the key the model was trained with)"
                        : "mask key: fingerprint " + other.fingerprint() + " (expected: ");
            }
        }
        CliRunner predict = CliRunner.run("predict", "--model", out.toString(), "--input",
                Files.writeString(tmp.resolve("r.json"), "[[\"a@b.org\", \"30\", \"1970-01-01\", \"Oslo\", \"3\"]]")
                        .toString());
        assertThat(predict.status()).isEqualTo(1);
        assertThat(predict.err().strip()).isEqualTo("ringfold: error: " + out + ": columns [email] are masked with hmac"
                + " (expected: --mask-key-file FILE with the key the model was trained with)");
    }

    @Test
    void badMasksAreRefusedInOneLine() throws Exception {
        People p = people(9L, 20);
        String key = key().toString();
        String o = tmp.resolve("m").toString();
        assertOneLine(2, "ringfold: --mask: column 'email': 'hmak' (expected: drop, redact, hmac, bucket(W) or"
                + " date(year|month|day))", "train", "--data", data(p), "--mask", "email=hmak", "--out", o);
        assertOneLine(2, "ringfold: --mask: columns [email] are hmac (expected: --mask-key-file FILE with the secret"
                + " key)", "train", "--data", data(p), "--mask", "email=hmac", "--out", o);
        assertOneLine(2, "ringfold: --mask-key-file: no hmac column in --mask name=drop (expected: the key only with an"
                + " hmac mask)", "train", "--data", data(p), "--mask", "name=drop", "--mask-key-file", key, "--out", o);
        assertOneLine(2, "ringfold: --mask-key-file " + tmp.resolve("absent") + ": no such file (expected: the mask"
                + " key file)", "train", "--data", data(p), "--mask", "email=hmac", "--mask-key-file",
                tmp.resolve("absent").toString(), "--out", o);
        assertOneLine(1, "ringfold: error: " + p.csv() + ":1: masked column 'emial' (drop) not found (expected: a"
                + " column name among [name, email, age, born, city, income, y])", "train", "--data", data(p),
                "--mask", "emial=drop", "--out", o);
        assertOneLine(2, "ringfold: --mask: data: digits has no named raw columns to mask (expected: csv:PATH)",
                "train", "--data", "digits", "--mask", "px0=drop", "--out", o);
        // The job service's check before queueing gives train's message.
        assertThatThrownBy(() -> TrainCommand.check(List.of("--data", data(p), "--mask", "age=bucket(-1)", "--out", o)))
                .hasMessage("--mask: column 'age': bucket width -1 (expected: a finite number > 0)");
    }

    private static void assertOneLine(int status, String message, String... args) {
        CliRunner r = CliRunner.run(args);
        assertThat(r.status()).as(r.err()).isEqualTo(status);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo(message);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
