package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text column through the preprocessor: vocabulary, bag-of-words layout, both output paths, its JSON. */
class PreprocessorTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * colour (categorical), body (text, ngrams 2, 6 tokens kept), size (numeric 1, 2, 3: mean 2, population
     * variance 2/3). Token counts over the bodies: free 3; at, noon, "at noon" 2; every other token and
     * bigram 1. So the vocabulary, by count and then text, is free, at, "at noon", noon, "free lunch",
     * "free money" (ids 1..6).
     */
    static final String CSV = "colour,body,size,y\n"
            + "red,\"Free money, free!\",1,spam\n"
            + "blue,Meeting at noon,2,ham\n"
            + "red,\"free lunch\r\nat noon?\",3,ham\n";

    @TempDir
    Path dir;

    private Dataset corpus() {
        return new CsvReader().withCategorical(List.of("colour")).withTextColumn("body")
                .withTextOptions(new TextOptions(6, 2)).read(TestFiles.text(dir, "corpus.csv", CSV));
    }

    @Test
    void aDocumentBecomesTokenCountsAtItsColumnsOfTheOutput() {
        Preprocessor p = Preprocessor.fit(corpus(), true);
        assertThat(p.text()).hasValueSatisfying(t -> {
            assertThat(t.column()).isEqualTo("body");
            assertThat(t.offset()).isEqualTo(2);
            assertThat(t.vocabulary().tokens()).containsExactly("free", "at", "at noon", "noon", "free lunch",
                    "free money");
        });
        assertThat(p.outputColumns()).containsExactly("colour=blue", "colour=red", "body=<unknown>", "body=free",
                "body=at", "body=at noon", "body=noon", "body=free lunch", "body=free money", "size");
        assertThat(p.numeric()).isFalse();
        assertThat(p.isIdentity()).isFalse();
        Dataset out = p.apply(corpus());
        assertThat(out.features()).isInstanceOf(CsrMatrix.class);
        assertThat(out.schema().featureNames()).isEqualTo(p.outputColumns());
        assertThat(out.schema().textColumns()).isEmpty();
        assertThat(out.documents()).isEmpty();
        float std = (float) Math.sqrt(2.0 / 3.0);
        FloatMatrix dense = ((CsrMatrix) out.features()).toDense();
        // Row 1: red; free, money, free, "free money", "money free" = ids 1, 0, 1, 6, 0; size 1.
        assertThat(row(dense, 0)).containsExactly(0f, 1f, 2f, 2f, 0f, 0f, 0f, 0f, 1f, (1f - 2f) / std);
        // Row 2: blue; meeting, at, noon, "meeting at", "at noon" = ids 0, 2, 4, 0, 3; size 2 (0 after shift).
        assertThat(row(dense, 1)).containsExactly(1f, 0f, 2f, 0f, 1f, 1f, 1f, 0f, 0f, 0f);
        // Row 3 (a CRLF inside the quotes separates tokens as any blank does): ids 1, 0, 2, 4, 5, 0, 3.
        assertThat(row(dense, 2)).containsExactly(0f, 1f, 2f, 1f, 1f, 1f, 1f, 1f, 0f, (3f - 2f) / std);
        // Only non-zeros are stored.
        assertThat(((CsrMatrix) out.features()).nonZeros()).isEqualTo(5 + 5 + 8);
    }

    private static float[] row(FloatMatrix m, int r) {
        return java.util.Arrays.copyOfRange(m.data(), r * m.cols(), (r + 1) * m.cols());
    }

    @Test
    void cellsGiveTheSameBitsDenseAndSparseAsTheDataSetDoes() {
        long seed = 20261207L;
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] words = {"free", "money", "at", "noon", "lunch", "Meeting", "prize", "x", "42"};
        StringBuilder csv = new StringBuilder("colour,body,size,y\n");
        List<String[]> cells = new ArrayList<>();
        for (int r = 0; r < 50; r++) {
            StringBuilder body = new StringBuilder();
            for (int w = rnd.nextInt(12); w > 0; w--) {
                body.append(words[rnd.nextInt(words.length)]).append(rnd.nextBoolean() ? " " : ",\n ");
            }
            String colour = rnd.nextBoolean() ? "red" : "blue";
            String size = Float.toString(rnd.nextInt(-64, 64) / 7f);
            csv.append(colour).append(",\"").append(body).append("\",").append(size).append(",").append(r % 2).append('\n');
            cells.add(new String[] {colour, body.toString(), size});
        }
        CsvReader reader = new CsvReader().withCategorical(List.of("colour")).withTextColumn("body")
                .withTextOptions(new TextOptions(5, 2));
        Dataset data = reader.read(TestFiles.text(dir, "random.csv", csv.toString()));
        Preprocessor p = Preprocessor.fit(data, true);
        FloatMatrix fromData = ((CsrMatrix) p.apply(data).features()).toDense();
        FloatMatrix fromCells = ((CsrMatrix) p.parseAndTransform(cells)).toDense();
        for (int r = 0; r < cells.size(); r++) {
            float[] one = p.parseAndTransform(cells.get(r));
            assertThat(one).as("seed %d, row %d", seed, r).isEqualTo(row(fromData, r)).isEqualTo(row(fromCells, r));
        }
    }

    @Test
    void theVocabularyComesFromTheRowsItIsFittedOnOnly() {
        Dataset all = corpus();
        // Rows 1 and 3 hold "free"; row 2 alone holds "meeting".
        Dataset.Split split = all.split(1.0 / 3, 7);
        List<String> trainDocs = split.rest().documents();
        Preprocessor p = Preprocessor.fit(split.rest(), false);
        assertThat(p.text().orElseThrow().vocabulary())
                .isEqualTo(Vocabulary.fit(trainDocs, new TextOptions(6, 2)));
        List<String> heldOutTokens = Tokenizer.tokens(split.heldOut().documents().get(0), 2);
        List<String> trainTokens = new ArrayList<>();
        trainDocs.forEach(d -> trainTokens.addAll(Tokenizer.tokens(d, 2)));
        List<String> unseen = new ArrayList<>(heldOutTokens);
        unseen.removeAll(trainTokens);
        assertThat(unseen).as("a held-out row with tokens the training rows lack").isNotEmpty();
        assertThat(p.text().orElseThrow().vocabulary().tokens()).doesNotContainAnyElementsOf(unseen);
    }

    @Test
    void textNeedsCellsNotNumbersAndDataWithTheColumn() {
        Preprocessor p = Preprocessor.fit(corpus(), false);
        assertThatThrownBy(() -> p.transformRow(new float[3]))
                .hasMessage("row: numbers only, but column 'body' is text (expected: cells, as parseAndTransform takes)");
        Dataset numbers = new CsvReader().withCategorical(List.of("colour"))
                .read(TestFiles.text(dir, "numbers.csv", "colour,body,size,y\nred,1,2,ham\n"));
        assertThatThrownBy(() -> p.apply(numbers)).hasMessage(numbers.source() + ": text column none (expected:"
                + " 'body', as at fit time; e.g. csv:PATH?text=body)");
        Preprocessor refusing = Preprocessor.fit(corpus(), new Preprocessor.Options(false, ImputeStrategy.MEAN,
                UnseenCategories.ERROR));
        assertThatThrownBy(() -> refusing.parseAndTransform(List.of(new String[] {"red", "hi", "1"},
                new String[] {"green", "hi", "1"})))
                .hasMessage("row 2: column 'colour': unknown category 'green' (expected: one of [blue, red])");
        // By default an unseen category gives zeros in its one-hot columns; the rest of the row is as for a known one.
        float[] green = p.parseAndTransform(new String[] {"green", "hi", "1"});
        float[] red = p.parseAndTransform(new String[] {"red", "hi", "1"});
        assertThat(green[0]).isZero();
        assertThat(green[1]).isZero();
        assertThat(red[1]).isEqualTo(1f);
        assertThat(Arrays.copyOfRange(green, 2, green.length)).containsExactly(Arrays.copyOfRange(red, 2, red.length));
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"red", null, "1"}))
                .hasMessage("column 'body': null (expected: text)");
    }

    /**
     * preprocessor-v2-text.json was written once, pretty-printed, by {@code Preprocessor.fit(corpus(), true).toJson()}
     * when version 2 was introduced; its vocabulary is the one derived by hand in {@link #CSV}'s comment, its
     * shift 2 (bits 0x40000000) and scale sqrt(2/3) (bits 0x3F5105EC). It must keep loading and writing the same.
     */
    @Test
    void goldenVersion2FileLoadsAndWritesTheSame() throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("preprocessor-v2-text.json")) {
            golden = JSON.readTree(in);
        }
        Preprocessor fitted = Preprocessor.fit(corpus(), true);
        assertThat(golden.get("version").intValue()).isEqualTo(2);
        Preprocessor loaded = Preprocessor.fromJson(golden);
        assertThat(loaded.toJson()).isEqualTo(golden);
        // Today's fit adds imputation and unseen categories to zeros (version 3); the rest is as it was.
        ObjectNode v2Part = ((ObjectNode) fitted.toJson()).put("version", 2);
        v2Part.remove(List.of("impute", "dropped", "unseenCategories"));
        assertThat(v2Part).isEqualTo(golden);
        assertThat(loaded.imputeStrategy()).isEmpty();
        assertThat(loaded.unseenCategories()).isEqualTo(UnseenCategories.ERROR);
        assertThat(loaded.parseAndTransform(new String[] {"blue", "FREE lunch, free money; no spam", "2"}))
                // blue; free, lunch, free, money, no, spam + 5 bigrams of which "free lunch" and "free money" are known.
                .containsExactly(1f, 0f, 7f, 2f, 0f, 0f, 0f, 1f, 1f, 0f);
        // A version 1 file keeps its version: only text needs version 2.
        try (var in = getClass().getResourceAsStream("preprocessor-v1.json")) {
            JsonNode v1 = JSON.readTree(in);
            assertThat(Preprocessor.fromJson(v1).toJson()).isEqualTo(v1);
        }
    }

    @Test
    void fromJsonRejectsTextItCannotRead() throws Exception {
        ObjectNode json = (ObjectNode) Preprocessor.fit(corpus(), true).toJson();
        ObjectNode v1 = json.deepCopy().put("version", 1);
        assertThatThrownBy(() -> Preprocessor.fromJson(v1)).hasMessageStartingWith("preprocessor JSON: text {\"column\"")
                .hasMessageEndingWith(" in version 1 (expected: an object, in version 2 or later)");
        ObjectNode v5 = json.deepCopy().put("version", 5);
        assertThatThrownBy(() -> Preprocessor.fromJson(v5))
                .hasMessage("preprocessor JSON: version 5 (expected: 1 to 4 (this library reads versions up to 4))");
        ObjectNode tokenizer = json.deepCopy();
        ((ObjectNode) tokenizer.get("text")).put("tokenizer", "whitespace");
        assertThatThrownBy(() -> Preprocessor.fromJson(tokenizer)).hasMessage("preprocessor JSON: text.column \"body\","
                + " text.tokenizer \"whitespace\", text.ngrams 2 (expected: a column name, 'lowercase-alphanumeric' and"
                + " 1 or 2)");
        ObjectNode column = json.deepCopy();
        ((ObjectNode) column.get("text")).put("column", "colour");
        assertThatThrownBy(() -> Preprocessor.fromJson(column)).hasMessageStartingWith("text column 'colour'");
        ObjectNode duplicate = json.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) duplicate.get("text").get("vocabulary")).add("free");
        assertThatThrownBy(() -> Preprocessor.fromJson(duplicate))
                .hasMessage("vocabulary: token 'free' at ids 1 and 7 (expected: distinct tokens)");
    }
}
