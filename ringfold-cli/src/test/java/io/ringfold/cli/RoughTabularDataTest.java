package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real data's rough edges through the command line, with default flags: empty cells, a constant column,
 * and the bad input that must stop with one line naming the file, the row and the column.
 */
class RoughTabularDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** 60 rows of y = (a > 4.5): a has empty cells and NA, const is always 1, colour is partly missing. */
    private Path roughCsv() throws Exception {
        StringBuilder csv = new StringBuilder("a,const,b,colour,y\n");
        for (int i = 0; i < 60; i++) {
            int a = i % 10;
            String aCell = i % 7 == 3 ? (i % 2 == 0 ? "" : "NA") : String.valueOf(a);
            csv.append(aCell).append(",1,").append(i % 3).append(',').append(i % 5 == 0 ? "" : i % 2 == 0 ? "red"
                    : "blue").append(',').append(a > 4 ? 1 : 0).append('\n');
        }
        Path f = tmp.resolve("rough.csv");
        Files.writeString(f, csv);
        return f;
    }

    @Test
    void aCsvWithEmptyCellsTrainsWithDefaultFlagsAndNamesTheDroppedColumn() throws Exception {
        Path data = roughCsv();
        Path model = tmp.resolve("m");
        CliRunner r = CliRunner.run("train", "--data", "csv:" + data + "?label=y&categorical=colour", "--json", "--out",
                model.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("note: "))).containsExactly("note: 1 constant column dropped"
                + " from the model's input (one value in every training row; rows to predict still carry it): const");
        JsonNode result = JSON.readTree(r.lastLine());
        assertThat(result.get("test_accuracy").asDouble()).as(r.out()).isGreaterThan(0.5);

        // Rows to predict keep the raw layout, constant column and missing cells included.
        Path rows = tmp.resolve("rows.csv");
        Files.writeString(rows, "a,const,b,colour\n8,1,2,red\n,1,,\n1,99,0,green\n");
        CliRunner p = CliRunner.run("predict", "--model", model.toString(), "--input", rows.toString());
        assertThat(p.status()).as(p.err()).isZero();
        assertThat(p.out().strip().lines()).hasSize(4);
        // In JSON a missing value is null, as the server reads it: the same predictions as the empty CSV cells.
        Path json = tmp.resolve("rows.json");
        Files.writeString(json, "[[8, 1, 2, \"red\"], [null, 1, null, null], [1, 99, 0, \"green\"]]");
        CliRunner pj = CliRunner.run("predict", "--model", model.toString(), "--input", json.toString());
        assertThat(pj.status()).as(pj.err()).isZero();
        JsonNode predictions = JSON.readTree(pj.out()).get("predictions");
        java.util.List<String[]> csvRows = p.out().strip().lines().skip(1).map(l -> l.split(",")).toList();
        assertThat(predictions).hasSize(csvRows.size());
        for (int i = 0; i < csvRows.size(); i++) {
            String[] row = csvRows.get(i);
            assertThat(predictions.get(i).get("class").asText()).isEqualTo(row[0]);
            for (int k = 1; k < row.length; k++) {
                assertThat((float) predictions.get(i).get("probabilities").get(k - 1).doubleValue()).as("row %d", i)
                        .isEqualTo(Float.parseFloat(row[k]));
            }
        }

        // evaluate and --test read their file against the training columns: an unseen colour is all zeros there.
        Path other = tmp.resolve("other.csv");
        Files.writeString(other, "a,const,b,colour,y\n8,1,2,green,1\n1,1,,blue,0\n3,1,1,purple,0\n");
        CliRunner e = CliRunner.run("evaluate", "--model", model.toString(), "--data", "csv:" + other + "?label=y",
                "--json");
        assertThat(e.status()).as(e.err()).isZero();
        assertThat(JSON.readTree(e.lastLine()).get("rows").asInt()).isEqualTo(3);
        CliRunner t = CliRunner.run("train", "--data", "csv:" + data + "?label=y&categorical=colour", "--test",
                "csv:" + other + "?label=y", "--json", "--out", tmp.resolve("t").toString());
        assertThat(t.status()).as(t.err()).isZero();
        assertThat(JSON.readTree(t.lastLine()).get("test_rows").asInt()).isEqualTo(3);
        CliRunner strict = CliRunner.run("train", "--data", "csv:" + data + "?label=y&categorical=colour", "--test",
                "csv:" + other + "?label=y", "--unseen-categories", "error", "--out", tmp.resolve("s").toString());
        assertOneLine(strict, other + ":2: column 'colour': a category not seen in training (expected: one of [,"
                + " blue, red], or --unseen-categories zero at training)");
    }

    @Test
    void badInputStopsWithOneLineNamingFileRowAndColumn() throws Exception {
        Path negative = tmp.resolve("neg.csv");
        Files.writeString(negative, "a,w,y\n1,1,0\n2,-0.5,1\n3,1,0\n");
        assertOneLine(CliRunner.run("train", "--data", "csv:" + negative + "?label=y&weight=w", "--out",
                tmp.resolve("m1").toString()), negative + ":3: negative weight '-0.5' in weight column 'w'");

        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "a,b,y\n1,,0\n2,NA,1\n3,,0\n");
        assertOneLine(CliRunner.run("train", "--data", "csv:" + empty, "--out", tmp.resolve("m2").toString()),
                empty + ":1: column 'b' is missing (empty, NA, ...) in all 3 rows");

        Path words = tmp.resolve("words.csv");
        Files.writeString(words, "a,price\n1,cheap\n2,dear\n3,cheap\n4,dear\n5,cheap\n");
        assertOneLine(CliRunner.run("train", "--data", "csv:" + words + "?label=price", "--model", "linear",
                "--test-split", "0", "--out", tmp.resolve("m3").toString()),
                words + ":2: label 'cheap' in column 'price' is not a number (expected: numbers for regression (model"
                        + " linear))");
    }

    private static void assertOneLine(CliRunner r, String expected) {
        assertThat(r.status()).as(r.out()).isEqualTo(1);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("ringfold: error: ").contains(expected);
    }
}
