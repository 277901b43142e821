package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.CsvReader;
import io.ringfold.data.Dataset;
import io.ringfold.data.TextOptions;
import io.ringfold.data.Tokenizer;
import io.ringfold.data.Vocabulary;
import io.ringfold.eval.ClassificationMetrics;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.batching.BatchingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The text pipeline end to end on 40 raw e-mails of the SpamAssassin public corpus (spam-sample.csv, 20
 * ham and 20 spam with their headers, written by {@code data/spam_assassin.py --sample 20}): train a
 * bag-of-words logistic model on 30 of them with a test file of the other 10; the saved vocabulary is the
 * one the training file alone gives; {@code predict} reads the CSV of multi-line quoted messages (picking
 * the text column by its header) and its JSON form alike; {@code evaluate}'s metrics are those of
 * predict's outputs; and the server, given the raw text over HTTP v1 ({@code instances}), v2 and gRPC
 * (BYTES, typed and raw), answers with predict's bits.
 */
class TextPipelineTest {

    private static final long SEED = Long.getLong("ringfold.text.seed", 20261207L);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void trainPredictEvaluateAndServeRawTextWithTheSameBits() throws Exception {
        System.out.println("TextPipelineTest: seed " + SEED + " (replay with -Dringfold.text.seed=" + SEED + ")");
        Path sample = copySample();
        Dataset all = new CsvReader().withLabelColumn("label").withTextColumn("text").read(sample);
        assertThat(all.size()).isEqualTo(40);
        assertThat(all.schema().classNames()).containsExactly("ham", "spam");
        // Every fourth message is a test message: 5 ham and 5 spam, as the file lists ham first.
        List<Integer> trainRows = new ArrayList<>();
        List<Integer> testRows = new ArrayList<>();
        for (int r = 0; r < all.size(); r++) {
            (r % 4 == 3 ? testRows : trainRows).add(r);
        }
        Path train = writeCsv(all, trainRows, "train.csv");
        Path test = writeCsv(all, testRows, "test.csv");

        Path repo = tmp.resolve("repo");
        Path modelDir = repo.resolve("spam").resolve("1");
        CliRunner t = CliRunner.run("train", "--data", "csv:" + train + "?label=label&text=text&test=" + test,
                "--model", "logistic", "--ngrams", "2", "--vocab-size", "2000",
                "--seed", "1", "--json", "--out", modelDir.toString());
        assertThat(t.status()).as(t.err()).isZero();
        JsonNode trained = JSON.readTree(t.lastLine());
        assertThat(trained.get("train_rows").asInt()).isEqualTo(30);
        assertThat(trained.get("test_rows").asInt()).isEqualTo(10);

        Model model = ModelCodec.load(modelDir);
        assertVocabularyOfTheTrainingFileOnly(model, all, trainRows, testRows);

        float[][] predicted = predictCsv(modelDir, sample);
        assertThat(predictJsonReversed(modelDir, all)).isDeepEqualTo(predicted);
        assertEvaluateAgrees(modelDir, sample, all, predicted);
        assertServerAgrees(repo, all, predicted);
    }

    /** Token counts are sparse rows like any others: exact data-parallel training gives the same bits for 1, 2, 3 workers. */
    @Test
    void dataParallelTrainingOnTextIsBitIdenticalForAnyWorkerCount() throws Exception {
        Path sample = copySample();
        Set<String> digests = new HashSet<>();
        for (int workers = 1; workers <= 3; workers++) {
            CliRunner t = CliRunner.run("train", "--data", "csv:" + sample + "?label=label&text=text", "--model",
                    "softmax", "--solver", "adam", "--ngrams", "2", "--workers", Integer.toString(workers), "--epochs", "3", "--batch-size",
                    "8", "--seed", "3", "--json", "--out", tmp.resolve("w" + workers).toString());
            assertThat(t.status()).as(t.err()).isZero();
            digests.add(JSON.readTree(t.lastLine()).get("parameter_digest").asText());
        }
        assertThat(digests).hasSize(1);
    }

    /** The model's vocabulary is the one fitted on the training file's messages, none of the test file's own. */
    private static void assertVocabularyOfTheTrainingFileOnly(Model model, Dataset all, List<Integer> trainRows,
                                                              List<Integer> testRows) {
        Vocabulary saved = model.preprocessor().text().orElseThrow().vocabulary();
        List<String> trainDocs = trainRows.stream().map(r -> all.documents().get(r)).toList();
        assertThat(saved).isEqualTo(Vocabulary.fit(trainDocs, new TextOptions(2000, 2)));
        assertThat(saved.size()).isEqualTo(2001);
        Set<String> trainTokens = new HashSet<>();
        trainDocs.forEach(d -> trainTokens.addAll(Tokenizer.tokens(d, 2)));
        Set<String> testOnly = new HashSet<>();
        testRows.forEach(r -> testOnly.addAll(Tokenizer.tokens(all.documents().get(r), 2)));
        testOnly.removeAll(trainTokens);
        assertThat(testOnly).isNotEmpty();
        assertThat(saved.tokens()).doesNotContainAnyElementsOf(testOnly);
    }

    /** {@code predict} on the sample file itself (label and text columns, messages across lines): (p_ham, p_spam) per row. */
    private static float[][] predictCsv(Path modelDir, Path sample) {
        CliRunner p = CliRunner.run("predict", "--model", modelDir.toString(), "--input", sample.toString());
        assertThat(p.status()).as(p.err()).isZero();
        List<String> lines = p.out().strip().lines().toList();
        assertThat(lines.get(0)).isEqualTo("prediction,p_ham,p_spam");
        assertThat(lines).hasSize(41);
        float[][] out = new float[40][];
        for (int r = 0; r < 40; r++) {
            String[] cells = lines.get(r + 1).split(",");
            out[r] = new float[] {Float.parseFloat(cells[1]), Float.parseFloat(cells[2])};
            assertThat(cells[0]).isEqualTo(out[r][1] >= out[r][0] ? "spam" : "ham");
        }
        return out;
    }

    /** {@code predict} on {"instances": [[text], ...]} in reverse order, answers put back in file order. */
    private float[][] predictJsonReversed(Path modelDir, Dataset all) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode instances = body.putArray("instances");
        for (int r = all.size() - 1; r >= 0; r--) {
            instances.addArray().add(all.documents().get(r));
        }
        Path input = Files.writeString(tmp.resolve("reversed.json"), JSON.writeValueAsString(body));
        CliRunner p = CliRunner.run("predict", "--model", modelDir.toString(), "--input", input.toString());
        assertThat(p.status()).as(p.err()).isZero();
        JsonNode predictions = JSON.readTree(p.out()).get("predictions");
        float[][] out = new float[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            JsonNode probs = predictions.get(i).get("probabilities");
            out[all.size() - 1 - i] = new float[] {InferenceClients.exact(probs.get(0)), InferenceClients.exact(probs.get(1))};
        }
        return out;
    }

    /** {@code evaluate}'s metrics on the sample equal those of predict's P(spam) for its labels. */
    private static void assertEvaluateAgrees(Path modelDir, Path sample, Dataset all, float[][] predicted)
            throws Exception {
        CliRunner e = CliRunner.run("evaluate", "--model", modelDir.toString(), "--data",
                "csv:" + sample + "?label=label&text=text", "--json");
        assertThat(e.status()).as(e.err()).isZero();
        JsonNode reported = JSON.readTree(e.lastLine());
        float[] pSpam = new float[predicted.length];
        for (int r = 0; r < pSpam.length; r++) {
            pSpam[r] = predicted[r][1];
        }
        ObjectNode expected = ClassificationMetrics.of(all.labels(), pSpam).toJson();
        expected.properties().forEach(m -> assertThat(reported.get(m.getKey()))
                .as("evaluate's %s against predict's outputs", m.getKey()).isEqualTo(m.getValue()));
    }

    /** Requests of 1 to 3 random messages over each path, batching on: every answer has predict's bits. */
    private static void assertServerAgrees(Path repo, Dataset all, float[][] predicted) throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        ServerConfig config = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 64, 2000, 4096, 2));
        List<String> mismatches = new ArrayList<>();
        try (InferenceServer server = InferenceServer.start(config);
             InferenceClients clients = new InferenceClients(server.port(), server.grpcPort())) {
            for (InferenceClients.Protocol protocol : InferenceClients.Protocol.values()) {
                for (int j = 0; j < 6; j++) {
                    int[] index = new int[1 + random.nextInt(3)];
                    String[][] request = new String[index.length][];
                    for (int i = 0; i < index.length; i++) {
                        index[i] = random.nextInt(all.size());
                        request[i] = new String[] {all.documents().get(index[i])};
                    }
                    float[][] answer = clients.infer(protocol, "spam", request, true, true, 2);
                    for (int i = 0; i < index.length; i++) {
                        if (!Arrays.equals(answer[i], predicted[index[i]])) {
                            mismatches.add(protocol + " row " + index[i] + ": " + Arrays.toString(answer[i])
                                    + " (expected: predict's " + Arrays.toString(predicted[index[i]]) + ")");
                        }
                    }
                }
            }
        }
        assertThat(mismatches).as("seed %d", SEED).isEmpty();
    }

    /** spam-sample.csv as a file in the temporary directory. */
    private Path copySample() throws Exception {
        Path sample = tmp.resolve("spam-sample.csv");
        try (InputStream in = getClass().getResourceAsStream("spam-sample.csv")) {
            Files.copy(in, sample);
        }
        return sample;
    }

    /** The given rows as an RFC 4180 file (every cell quoted), label and text. */
    private Path writeCsv(Dataset all, List<Integer> rows, String name) throws Exception {
        StringBuilder csv = new StringBuilder("label,text\r\n");
        for (int r : rows) {
            csv.append(all.schema().classNames().get((int) all.label(r))).append(",\"")
                    .append(all.documents().get(r).replace("\"", "\"\"")).append("\"\r\n");
        }
        return Files.writeString(tmp.resolve(name), csv);
    }
}
