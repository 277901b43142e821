package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec;
import io.ringfold.eval.ClassificationMetrics;
import io.ringfold.eval.RegressionMetrics;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./ringfold predict}, {@code ./ringfold evaluate} and the server (HTTP v1 :predict and v2 infer,
 * gRPC ModelInfer with typed and raw contents) give the same bits for the same rows, for every model
 * type: linear, logistic, softmax, MLP classifier and regressor, and an MLP with a categorical column.
 * Rows never meet the same neighbours twice: predict reads them shuffled and in chunks of random sizes,
 * evaluate in data order, and the server's clients send requests of one to four random rows concurrently
 * with batching on, so that their requests are batched together (checked: fewer batches than requests).
 * Evaluate prints metrics only; they must equal the metrics of predict's outputs, and log loss, RMSE and
 * MAE add up every output, so a single different bit shows.
 */
class PredictionAgreementTest {

    private static final long SEED = Long.getLong("ringfold.invariance.seed", 20261207L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 300;
    private static final int FEATURES = 300;
    private static final int CLIENTS = 6;
    private static final int REQUESTS_PER_CLIENT = 16;

    @TempDir
    Path tmp;

    /** A model trained by {@code ./ringfold train} on a CSV file of raw rows (label last). */
    private record Served(String name, String spec, Path csv, boolean classifier, boolean categorical) {
    }

    @Test
    void predictEvaluateAndEveryServerPathGiveTheSameBitsForEveryModelType() throws Exception {
        System.out.println("PredictionAgreementTest: seed " + SEED + " (replay with -Dringfold.invariance.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        Path repo = tmp.resolve("repo");
        Path regression = writeCsv(random, "regression.csv", Label.VALUE, false);
        Path binary = writeCsv(random, "binary.csv", Label.TWO_CLASSES, false);
        Path classes = writeCsv(random, "classes.csv", Label.THREE_CLASSES, false);
        Path categorical = writeCsv(random, "categorical.csv", Label.THREE_CLASSES, true);
        List<Served> models = List.of(
                train(repo, "linear", regression, false, "--model", "linear"),
                train(repo, "logistic", binary, true, "--model", "logistic"),
                train(repo, "softmax", classes, true, "--model", "softmax"),
                train(repo, "mlp", classes, true, "--model", "mlp", "--hidden", "64", "--epochs", "1"),
                train(repo, "mlp-regression", regression, false, "--model", "mlp", "--hidden", "32,16", "--activation",
                        "tanh", "--loss", "mse", "--epochs", "1"),
                train(repo, "categorical", categorical, true, "--model", "mlp", "--hidden", "32", "--epochs", "1"));

        ServerConfig config = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 64, 5000, 4096, 2));
        try (InferenceServer server = InferenceServer.start(config);
             InferenceClients clients = new InferenceClients(server.port(), server.grpcPort())) {
            for (Served m : models) {
                String[][] rows = featureRows(m.csv());
                float[][] predicted = predictShuffledInChunks(m, rows, random.split());
                assertEvaluateAgrees(m, predicted);
                assertServerAgrees(server, clients, m, rows, predicted, random.split());
            }
        }
    }

    /** {@code ./ringfold predict} on the rows shuffled, in chunks of 1 to 60 rows; outputs back in data order. */
    private float[][] predictShuffledInChunks(Served m, String[][] rows, SplittableRandom random) throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < rows.length; r++) {
            order.add(r);
        }
        Collections.shuffle(order, new Random(random.nextLong()));
        float[][] out = new float[rows.length][];
        for (int from = 0; from < rows.length; ) {
            int to = Math.min(rows.length, from + 1 + random.nextInt(60));
            StringBuilder csv = new StringBuilder();
            for (int i = from; i < to; i++) {
                csv.append(String.join(",", rows[order.get(i)])).append('\n');
            }
            Path input = Files.writeString(tmp.resolve("predict-" + m.name() + "-" + from + ".csv"), csv);
            CliRunner predict = CliRunner.run("predict", "--model", modelDir(m).toString(), "--input", input.toString());
            assertThat(predict.status()).as(predict.err()).isZero();
            List<String> lines = predict.out().strip().lines().toList();
            assertThat(lines).as("%s: header and one line per row", m.name()).hasSize(to - from + 1);
            for (int i = from; i < to; i++) {
                String[] cells = lines.get(i - from + 1).split(",");
                // The class name, then the probabilities; or the value alone.
                int first = m.classifier() ? 1 : 0;
                float[] values = new float[cells.length - first];
                for (int c = first; c < cells.length; c++) {
                    values[c - first] = Float.parseFloat(cells[c]);
                }
                out[order.get(i)] = values;
            }
            from = to;
        }
        return out;
    }

    /** {@code ./ringfold evaluate}'s metrics equal those of predict's outputs for the same rows and labels. */
    private void assertEvaluateAgrees(Served m, float[][] predicted) throws Exception {
        CliRunner evaluate = CliRunner.run("evaluate", "--model", modelDir(m).toString(), "--data", m.spec(), "--json");
        assertThat(evaluate.status()).as(evaluate.err()).isZero();
        JsonNode reported = JSON.readTree(evaluate.lastLine());
        float[] labels = DataSpec.parse(m.spec()).load().train().labels();
        ObjectNode expected;
        if (m.classifier()) {
            // A binary model's one output is P(class 1); predict prints (1 - p, p).
            int k = ModelCodec.load(modelDir(m)).network().outputs();
            float[] outputs = new float[predicted.length * k];
            for (int r = 0; r < predicted.length; r++) {
                System.arraycopy(predicted[r], predicted[r].length - k, outputs, r * k, k);
            }
            expected = ClassificationMetrics.of(labels, outputs).toJson();
        } else {
            float[] outputs = new float[predicted.length];
            for (int r = 0; r < predicted.length; r++) {
                outputs[r] = predicted[r][0];
            }
            expected = RegressionMetrics.of(labels, outputs).toJson();
        }
        expected.fields().forEachRemaining(e -> assertThat(reported.get(e.getKey()))
                .as("seed %d, %s: evaluate's %s against predict's outputs", SEED, m.name(), e.getKey())
                .isEqualTo(e.getValue()));
    }

    /**
     * Concurrent clients, each sending requests of 1 to 4 random rows over the four paths in turn; every
     * answer's values must have predict's bits, and the server must have batched requests together.
     */
    private void assertServerAgrees(InferenceServer server, InferenceClients clients, Served m, String[][] rows,
                                    float[][] predicted, SplittableRandom random) throws Exception {
        InferenceClients.Protocol[] protocols = InferenceClients.Protocol.values();
        int classes = predicted[0].length;
        List<SplittableRandom> streams = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            streams.add(random.split());
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                SplittableRandom r = streams.get(c);
                int client = c;
                results.add(pool.submit(() -> {
                    List<String> mismatches = new ArrayList<>();
                    for (int j = 0; j < REQUESTS_PER_CLIENT; j++) {
                        InferenceClients.Protocol protocol = protocols[(client + j) % protocols.length];
                        int[] index = new int[1 + r.nextInt(4)];
                        String[][] request = new String[index.length][];
                        for (int i = 0; i < index.length; i++) {
                            index[i] = r.nextInt(rows.length);
                            request[i] = rows[index[i]];
                        }
                        float[][] answer = clients.infer(protocol, m.name(), request, m.categorical(), m.classifier(),
                                classes);
                        for (int i = 0; i < index.length; i++) {
                            // Arrays.equals compares floatToIntBits: the same bits (no output here is NaN).
                            if (!java.util.Arrays.equals(answer[i], predicted[index[i]])) {
                                mismatches.add(protocol + " row " + index[i] + ": " + java.util.Arrays.toString(answer[i])
                                        + " (expected: predict's " + java.util.Arrays.toString(predicted[index[i]]) + ")");
                            }
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<List<String>> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("seed %d, %s", SEED, m.name()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        ServingMetrics.Series series = server.metrics().allSeries().entrySet().stream()
                .filter(e -> e.getKey().model().equals(m.name())).findFirst().orElseThrow().getValue();
        // The warm-up prediction is one more batch; without batching there would be one per request.
        assertThat(series.batchSizes().count()).as("%s: batches for %d requests", m.name(), CLIENTS * REQUESTS_PER_CLIENT)
                .isLessThan(CLIENTS * REQUESTS_PER_CLIENT);
    }

    private Served train(Path repo, String name, Path csv, boolean classifier, String... flags) {
        boolean categorical = csv.getFileName().toString().startsWith("categorical");
        String spec = "csv:" + csv + "?label=y" + (categorical ? "&categorical=colour" : "");
        List<String> args = new ArrayList<>(List.of("train", "--data", spec, "--seed", "1", "--out",
                repo.resolve(name).resolve("1").toString()));
        args.addAll(List.of(flags));
        CliRunner train = CliRunner.run(args.toArray(String[]::new));
        assertThat(train.status()).as("%s: %s", name, train.err()).isZero();
        return new Served(name, spec, csv, classifier, categorical);
    }

    private Path modelDir(Served m) {
        return tmp.resolve("repo").resolve(m.name()).resolve("1");
    }

    private enum Label { VALUE, TWO_CLASSES, THREE_CLASSES }

    /**
     * Rows of FEATURES numbers in sixteenths (exact in float and in decimal), a categorical column
     * (colour) first when asked, then the label y from a fixed linear rule of the features.
     */
    private Path writeCsv(SplittableRandom random, String file, Label label, boolean colour) throws Exception {
        StringBuilder csv = new StringBuilder(colour ? "colour," : "");
        for (int c = 0; c < FEATURES; c++) {
            csv.append('x').append(c).append(',');
        }
        csv.append("y\n");
        String[] colours = {"blue", "green", "red"};
        for (int r = 0; r < ROWS; r++) {
            int hue = random.nextInt(colours.length);
            if (colour) {
                csv.append(colours[hue]).append(',');
            }
            double score = colour ? hue - 1 : 0;
            for (int c = 0; c < FEATURES; c++) {
                float x = random.nextInt(-64, 65) / 16f;
                score += (c % 7 - 3) * x / FEATURES;
                csv.append(x).append(',');
            }
            csv.append(switch (label) {
                case VALUE -> Float.toString((float) score);
                case TWO_CLASSES -> score > 0 ? "yes" : "no";
                case THREE_CLASSES -> score > 0.1 ? "a" : score < -0.1 ? "c" : "b";
            }).append('\n');
        }
        return Files.writeString(tmp.resolve(file), csv);
    }

    /** The feature cells of each data row, as text (the label dropped). */
    private static String[][] featureRows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        String[][] rows = new String[lines.size() - 1][];
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",");
            rows[r - 1] = java.util.Arrays.copyOf(cells, cells.length - 1);
        }
        return rows;
    }
}
