package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing cells: how the CSV reader reads them and how the preprocessor imputes them, the same on every path. */
class MissingValuesTest {

    /**
     * a: present 1, 3, 8, 3 (mean 15/4 = 3.75, median (3 + 3) / 2 = 3, most frequent 3); b: present 4, 8, 4, 2
     * (mean 4.5, median 4, most frequent 4); c: present 9, 1 (mean 5, median 5, most frequent 1, the smaller of
     * two tied); color: red, missing, blue, red, blue, missing.
     */
    private static final String CSV = "a,b,c,color,y\n"
            + "1,,9,red,0\n"
            + "NA,4,,,1\n"
            + "3,8,NaN,blue,0\n"
            + "?,4,null,red,1\n"
            + "8,2,1,blue,0\n"
            + "3,NaN,N/A,NA,1\n";

    @TempDir
    Path dir;

    private Dataset table() {
        return new CsvReader().withLabelColumn("y").withCategorical(List.of("color"))
                .read(TestFiles.text(dir, "m.csv", CSV));
    }

    @Test
    void theMissingSpellingsArePandasDefaultsAndTheQuestionMark() {
        // pandas 2.x io/parsers: STR_NA_VALUES, as listed in the read_csv documentation ("" is the empty cell).
        Set<String> pandas = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");
        Set<String> expected = new java.util.HashSet<>(pandas);
        expected.add("?");
        assertThat(NumberCells.MISSING).isEqualTo(expected);
        for (String s : expected) {
            Dataset d = new CsvReader().read(TestFiles.text(dir, "s.csv", "a,y\n1,0\n\"" + s + "\",1\n"));
            assertThat(((FloatMatrix) d.features()).data()).as("'%s'", s).containsExactly(1f, Float.NaN);
            assertThat(d.hasMissingValues()).isTrue();
        }
        // Near misses are not missing values: pandas compares exactly, and so does the reader.
        for (String s : List.of("na", "N/a", "NONE", "-", "Inf")) {
            Path f = TestFiles.text(dir, "n.csv", "a,y\n1,0\n" + s + ",1\n");
            assertThatThrownBy(() -> new CsvReader().read(f)).as(s).isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(f + ":3: ").hasMessageContaining("in column 'a'");
        }
    }

    @Test
    void missingNumbersAreNaNAndMissingCategoriesTheEmptyCategory() {
        Dataset d = table();
        FloatMatrix x = (FloatMatrix) d.features();
        assertThat(d.schema().categoricalVocabularies().get("color")).containsExactly("", "blue", "red");
        assertThat(x.data()).containsExactly(
                1, Float.NaN, 9, 2,
                Float.NaN, 4, Float.NaN, 0,
                3, 8, Float.NaN, 1,
                Float.NaN, 4, Float.NaN, 2,
                8, 2, 1, 1,
                3, Float.NaN, Float.NaN, 0);
        assertThat(d.where(1)).isEqualTo(d.source() + ":3");
    }

    @Test
    void eachStrategyLearnsItsValueFromThePresentCells() {
        Dataset d = table();
        assertThat(fit(d, ImputeStrategy.MEAN).imputedValues()).containsExactly(3.75f, 4.5f, 5f, Float.NaN);
        assertThat(fit(d, ImputeStrategy.MEDIAN).imputedValues()).containsExactly(3f, 4f, 5f, Float.NaN);
        assertThat(fit(d, ImputeStrategy.MOST_FREQUENT).imputedValues()).containsExactly(3f, 4f, 1f, Float.NaN);
        assertThat(fit(d, ImputeStrategy.MEDIAN).imputeStrategy()).contains(ImputeStrategy.MEDIAN);
        // numpy.median of an even count is the mean of the two middle values; ties of the mode go to the smallest.
        FloatMatrix m = new FloatMatrix(5, 2, new float[] {10, 0, Float.NaN, 0, 1, 0, 3, 0, 2, 0});
        boolean[] first = {true, false};
        assertThat(ColumnImputer.values(m, first, ImputeStrategy.MEDIAN)).containsExactly(2.5f, Float.NaN);
        assertThat(ColumnImputer.values(m, first, ImputeStrategy.MOST_FREQUENT)).containsExactly(1f, Float.NaN);
        assertThat(ColumnImputer.values(m, first, ImputeStrategy.MEAN)).containsExactly(4f, Float.NaN);
        assertThat(ColumnImputer.values(new FloatMatrix(1, 1, new float[] {Float.NaN}), new boolean[] {true},
                ImputeStrategy.MEAN)).containsExactly(Float.NaN);
    }

    @Test
    void imputationComesBeforeStandardisationAndEveryPathGivesTheSameBits() {
        Dataset d = table();
        Preprocessor p = Preprocessor.fit(d, true);
        // Imputed a = 1, 3.75, 3, 3.75, 8, 3: mean 3.75, so the missing rows standardise to exactly 0.
        assertThat(p.shift()[0]).isEqualTo(3.75f);
        double var = (2.75 * 2.75 + 0 + 0.75 * 0.75 + 0 + 4.25 * 4.25 + 0.75 * 0.75) / 6;
        assertThat(p.scale()[0]).isEqualTo((float) Math.sqrt(var));
        assertThat(p.outputColumns()).containsExactly("a", "b", "c", "color=", "color=blue", "color=red");
        FloatMatrix out = (FloatMatrix) p.apply(d).features();
        assertThat(out.get(1, 0)).isZero();
        // Row 2 (line 3) has a, c and color missing: the empty category's column is 1.
        assertThat(new float[] {out.get(1, 3), out.get(1, 4), out.get(1, 5)}).containsExactly(1f, 0f, 0f);
        String[][] cells = {{"1", "", "9", "red"}, {"NA", "4", "", ""}, {"3", "8", "NaN", "blue"},
                {"?", "4", "null", "red"}, {"8", "2", "1", "blue"}, {"3", "NaN", "N/A", "NA"}};
        float[] x = ((FloatMatrix) d.features()).data();
        List<String[]> rows = new ArrayList<>();
        for (int r = 0; r < cells.length; r++) {
            float[] expected = java.util.Arrays.copyOfRange(out.data(), r * 6, r * 6 + 6);
            assertThat(p.transformRow(java.util.Arrays.copyOfRange(x, r * 4, r * 4 + 4))).as("row %d", r)
                    .containsExactly(expected);
            assertThat(p.parseAndTransform(cells[r])).as("row %d", r).containsExactly(expected);
            rows.add(cells[r]);
        }
        assertThat(((FloatMatrix) p.parseAndTransform(rows)).data()).containsExactly(out.data());
    }

    @Test
    void imputationSurvivesTheJsonForm() throws Exception {
        Preprocessor p = fit(table(), ImputeStrategy.MEDIAN);
        ObjectMapper mapper = new ObjectMapper();
        var json = mapper.readTree(mapper.writeValueAsString(p.toJson()));
        assertThat(json.get("version").intValue()).isEqualTo(3);
        assertThat(json.get("impute").get("strategy").asText()).isEqualTo("median");
        Preprocessor back = Preprocessor.fromJson(json);
        assertThat(back).isEqualTo(p);
        assertThat(back.parseAndTransform(new String[] {"", "", "", ""}))
                .containsExactly(p.parseAndTransform(new String[] {"", "", "", ""}));
    }

    @Test
    void aColumnMissingInEveryRowIsAnErrorNamingFileLineAndColumn() {
        Path f = TestFiles.text(dir, "all.csv", "a,b,y\n1,,0\n2,NA,1\n");
        assertThatThrownBy(() -> new CsvReader().read(f)).isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":1: column 'b' is missing (empty, NA, ...) in all 2 rows (expected: at least one value"
                        + " to learn from; drop the column)");
        Path cat = TestFiles.text(dir, "cat.csv", "a,b,y\n1,,0\n2,?,1\n");
        assertThatThrownBy(() -> new CsvReader().withCategorical(List.of("b")).read(cat))
                .hasMessage(cat + ":1: column 'b' is missing (empty, NA, ...) in all 2 rows (expected: at least one"
                        + " value to learn from; drop the column)");
        // A test file may lack a column entirely: it is read against the training set and imputed.
        Dataset train = new CsvReader().read(TestFiles.text(dir, "train.csv", "a,b,y\n1,5,0\n2,7,1\n"));
        Dataset test = new CsvReader().withReferenceSchema(train.schema()).read(f);
        assertThat(((FloatMatrix) Preprocessor.fit(train, false).apply(test).features()).data())
                .containsExactly(1f, 6f, 2f, 6f);
        // So may the training part of a split: fitting names the data and the column.
        Dataset part = table().subset(new int[] {1, 2});
        assertThatThrownBy(() -> Preprocessor.fit(part, true)).isInstanceOf(DataFormatException.class)
                .hasMessage(part.source() + ": column 'c' is missing (empty, NA, ...) in all 2 training rows (expected:"
                        + " at least one value to learn from; drop the column)");
    }

    @Test
    void labelsMustNotBeMissing() {
        Path f = TestFiles.text(dir, "l.csv", "a,y\n1,0\n2,\n");
        assertThatThrownBy(() -> new CsvReader().read(f))
                .hasMessage(f + ":3: empty cell in label column 'y' (expected: a finite number, as the first row's"
                        + " label was)");
    }

    private static Preprocessor fit(Dataset d, ImputeStrategy s) {
        return Preprocessor.fit(d, new Preprocessor.Options(true, s, UnseenCategories.ZERO));
    }
}
