package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The binary metrics in what train and evaluate print and in the model file's stored evaluation. */
class MetricsOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** 200 rows of a, b and y, a third of them class 1 with a shifted by 1: overlapping classes. */
    private Path binaryCsv() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        SplitMix64 rng = new SplitMix64(17);
        for (int i = 0; i < 200; i++) {
            int y = i % 3 == 0 ? 1 : 0;
            csv.append(rng.nextGaussian() + y).append(',').append(rng.nextGaussian()).append(',').append(y)
                    .append('\n');
        }
        return Files.writeString(tmp.resolve("binary.csv"), csv);
    }

    @Test
    void trainAndEvaluatePrintAucPrAucAndLogLossAndTheModelFileKeepsPerClassScores() throws Exception {
        String spec = "csv:" + binaryCsv() + "?label=y";
        Path dir = tmp.resolve("m");
        String[] train = {"train", "--data", spec, "--model", "logistic", "--seed", "1", "--out", dir.toString()};
        CliRunner human = CliRunner.run(train);
        assertThat(human.status()).as(human.err()).isZero();

        JsonNode stored = ModelCodec.evaluation(dir);
        assertThat(stored.get("perClass")).hasSize(2);
        assertThat(stored.get("perClass").get(1).get("support").asInt()
                + stored.get("perClass").get(0).get("support").asInt()).isEqualTo(stored.get("count").asInt());
        String headline = String.format("accuracy %.4f  log loss %.4f  auc %.4f  pr auc %.4f",
                stored.get("accuracy").asDouble(), stored.get("logLoss").asDouble(), stored.get("auc").asDouble(),
                stored.get("prAuc").asDouble());
        assertThat(human.out()).contains("\ntest " + headline + "\n");

        JsonNode summary = JSON.readTree(CliRunner.run(concat(train, "--json")).lastLine());
        assertThat(summary.get("test_auc").asDouble()).isEqualTo(stored.get("auc").asDouble());
        assertThat(summary.get("test_pr_auc").asDouble()).isEqualTo(stored.get("prAuc").asDouble());
        assertThat(summary.get("test_log_loss").asDouble()).isEqualTo(stored.get("logLoss").asDouble());

        CliRunner evaluate = CliRunner.run("evaluate", "--model", dir.toString(), "--data", spec);
        assertThat(evaluate.status()).as(evaluate.err()).isZero();
        List<String> lines = evaluate.out().lines().toList();
        JsonNode all = JSON.readTree(String.join("\n", lines.subList(1, lines.size())));
        assertThat(lines.get(0)).isEqualTo(String.format("accuracy %.4f  log loss %.4f  auc %.4f  pr auc %.4f",
                all.get("accuracy").asDouble(), all.get("logLoss").asDouble(), all.get("auc").asDouble(),
                all.get("prAuc").asDouble()));
        assertThat(all.get("rows").asInt()).isEqualTo(200);
        assertThat(all.has("macroPrecision")).isTrue();
    }

    @Test
    void evaluateCountsTheClassesTheModelPredictsAtItsThreshold() throws Exception {
        String spec = "csv:" + binaryCsv() + "?label=y";
        Path dir = tmp.resolve("t");
        CliRunner train = CliRunner.run("train", "--data", spec, "--model", "logistic", "--threshold", "0.7",
                "--seed", "1", "--out", dir.toString());
        assertThat(train.status()).as(train.err()).isZero();
        JsonNode e = JSON.readTree(CliRunner.run("evaluate", "--model", dir.toString(), "--data", spec, "--json")
                .lastLine());
        Model model = ModelCodec.load(dir);
        Dataset raw = DataSpec.parse(spec).load().train();
        Dataset x = model.preprocessor().apply(raw);
        int[] predicted = model.predictedClasses(model.predictPreprocessed(Blas.get(), x.features()));
        int[][] confusion = new int[2][2];
        for (int i = 0; i < predicted.length; i++) {
            confusion[(int) raw.label(i)][predicted[i]]++;
        }
        assertThat(JSON.treeToValue(e.get("confusion"), int[][].class)).isEqualTo(confusion);
        // At 0.7 fewer rows are class 1 than at 0.5, so the threshold was applied (the data has rows in between).
        float[] p1 = model.predictPreprocessed(Blas.get(), x.features()).data();
        int atHalf = 0;
        for (float p : p1) {
            atHalf += p >= 0.5f ? 1 : 0;
        }
        assertThat(confusion[0][1] + confusion[1][1]).isLessThan(atHalf);
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
