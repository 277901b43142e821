package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    /** Column a = 1, 2, 3, 4 (mean 2.5, population variance 1.25); column b constant 7. */
    private static Dataset twoColumns() {
        return Dataset.of(new FloatMatrix(4, 2, new float[] {1, 7, 2, 7, 3, 7, 4, 7}), new float[4],
                new Schema(List.of("a", "b"), List.of(), Map.of()), "two");
    }

    /** color (categorical: blue, green, red) then x = 0, 2, 4 (mean 2, variance 8/3). */
    private static Dataset withCategory() {
        Schema s = new Schema(List.of("color", "x"), List.of(), Map.of("color", List.of("blue", "green", "red")));
        return Dataset.of(new FloatMatrix(3, 2, new float[] {2, 0, 0, 2, 1, 4}), new float[] {0, 1, 0}, s, "cat");
    }

    @Test
    void standardisesWithPopulationStdAndZeroVarianceScaleOne() {
        // As an image (a 1x2 grid), b is kept although constant.
        Dataset image = twoColumns().withExampleShape(io.ringfold.nn.Shape.of(1, 1, 2));
        Preprocessor p = Preprocessor.fit(image, true);
        // By hand: mean 2.5, std sqrt(1.25); b has variance 0, so scale 1 and shift 7.
        assertThat(p.shift()).containsExactly(2.5f, 7f);
        assertThat(p.scale()).containsExactly((float) Math.sqrt(1.25), 1f);
        assertThat(p.droppedColumns()).isEmpty();
        FloatMatrix out = (FloatMatrix) p.apply(image).features();
        assertThat(out.get(0, 0)).isCloseTo((float) (-1.5 / Math.sqrt(1.25)), within(1e-6f));
        assertThat(out.get(3, 0)).isCloseTo((float) (1.5 / Math.sqrt(1.25)), within(1e-6f));
        assertThat(out.get(2, 1)).isZero();
        assertThat(p.isIdentity()).isFalse();
    }

    @Test
    void withoutStandardisationOnlyOneHotRemains() {
        Dataset d = Dataset.of(new FloatMatrix(2, 2, new float[] {1, 7, 2, 8}), new float[2],
                new Schema(List.of("a", "b"), List.of(), Map.of()), "two");
        Preprocessor plain = Preprocessor.fit(d, false);
        assertThat(plain.isIdentity()).isTrue();
        assertThat(plain.apply(d)).isSameAs(d);
        assertThat(Preprocessor.fit(withCategory(), false).isIdentity()).isFalse();
    }

    @Test
    void oneHotExpandsCategoricalColumnsAndLeavesThemUnscaled() {
        Dataset train = withCategory();
        Preprocessor p = Preprocessor.fit(train, true);
        assertThat(p.inputWidth()).isEqualTo(2);
        assertThat(p.outputWidth()).isEqualTo(4);
        assertThat(p.inputColumns()).containsExactly("color", "x");
        assertThat(p.outputColumns()).containsExactly("color=blue", "color=green", "color=red", "x");
        Dataset out = p.apply(train);
        assertThat(out.schema().featureNames()).isEqualTo(p.outputColumns());
        assertThat(out.schema().categoricalVocabularies()).isEmpty();
        assertThat(out.labels()).containsExactly(0f, 1f, 0f);
        float std = (float) Math.sqrt(8.0 / 3.0);
        FloatMatrix x = (FloatMatrix) out.features();
        assertThat(x.data()).usingComparatorWithPrecision(1e-6f).containsExactly(
                0, 0, 1, -2f / std,
                1, 0, 0, 0,
                0, 1, 0, 2f / std);
        // The three entry points agree bit for bit.
        assertThat(p.transformRow(new float[] {1, 4})).containsExactly(x.data()[8], x.data()[9], x.data()[10],
                x.data()[11]);
        assertThat(p.parseAndTransform(new String[] {" green ", "4"})).isEqualTo(p.transformRow(new float[] {1, 4}));
    }

    @Test
    void rejectsUnknownCategoriesBadCellsAndWrongWidths() {
        Preprocessor p = Preprocessor.fit(withCategory(), new Preprocessor.Options(true, ImputeStrategy.MEAN,
                UnseenCategories.ERROR));
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"pink", "1"}))
                .hasMessage("column 'color': unknown category 'pink' (expected: one of [blue, green, red])");
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"red", "Infinity"}))
                .hasMessage("column 'x': non-finite value 'Infinity' (expected: a finite number)");
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"red"}))
                .hasMessage("cells: 1 (expected: 2, [color, x])");
        assertThatThrownBy(() -> p.transformRow(new float[] {3, 1}))
                .hasMessage("row, column 'color': category code 3.0 (expected: integer in [0, 3))");
        assertThatThrownBy(() -> p.apply(twoColumns().subset(new int[] {0}).withFeatures(new FloatMatrix(1, 3),
                Schema.numeric(3))))
                .hasMessage("two: 3 feature columns (expected: 2, as at fit time: [color, x])");
    }

    @Test
    void sparseInputIsScaledNotCentredAndStaysSparse() {
        // Column 0 = 3, 0, 0, 1: mean 1, variance (4 + 1 + 1 + 0) / 4 = 1.5.
        // Column 1 = 0, 0, 0, 5: mean 1.25, variance (3 * 1.5625 + 14.0625) / 4 = 4.6875.
        CsrMatrix csr = new CsrMatrix(4, 2, new int[] {0, 1, 1, 1, 3}, new int[] {0, 0, 1}, new float[] {3, 1, 5});
        Dataset d = Dataset.of(csr, new float[4], Schema.numeric(2), "sparse");
        Preprocessor p = Preprocessor.fit(d, true);
        assertThat(p.shift()).containsExactly(0f, 0f);
        assertThat(p.scale()).containsExactly((float) Math.sqrt(1.5), (float) Math.sqrt(4.6875));
        Dataset out = p.apply(d);
        assertThat(out.isSparse()).isTrue();
        CsrMatrix o = (CsrMatrix) out.features();
        assertThat(o.nonZeros()).isEqualTo(3);
        assertThat(o.get(0, 0)).isCloseTo((float) (3 / Math.sqrt(1.5)), within(1e-6f));
        assertThat(o.get(3, 1)).isCloseTo((float) (5 / Math.sqrt(4.6875)), within(1e-6f));
        // A centring preprocessor fitted on dense data turns sparse input dense.
        Dataset dense = Dataset.of(csr.toDense(), new float[4], Schema.numeric(2), "dense");
        Dataset viaDense = Preprocessor.fit(dense, true).apply(d);
        assertThat(viaDense.isSparse()).isFalse();
        assertThat(viaDense.fingerprint()).isEqualTo(Preprocessor.fit(dense, true).apply(dense).fingerprint());
    }

    @Test
    void sparseWithCategoricalColumnsIsRejected() {
        CsrMatrix csr = new CsrMatrix(1, 1, new int[] {0, 1}, new int[] {0}, new float[] {1});
        Schema s = new Schema(List.of("c"), List.of(), Map.of("c", List.of("u", "v")));
        assertThatThrownBy(() -> Preprocessor.fit(Dataset.of(csr, new float[1], s, "s"), true))
                .hasMessage("train: sparse features with categorical columns [c] (expected: dense features for one-hot"
                        + " encoding)");
    }

    @Test
    void jsonRoundTripIsBitExact() throws Exception {
        long seed = 20240611L;
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 200;
        int d = 6;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            // Awkward magnitudes, so that decimal text would be likely to round differently.
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, (i % d) - 3) + (i % d) * 0.1);
        }
        Dataset train = Dataset.of(new FloatMatrix(n, d, x), new float[n], Schema.numeric(d), "random");
        Preprocessor p = Preprocessor.fit(train, true);
        ObjectMapper mapper = new ObjectMapper();
        String text = mapper.writeValueAsString(p.toJson());
        Preprocessor back = Preprocessor.fromJson(mapper.readTree(text));
        assertThat(back).as("seed %d", seed).isEqualTo(p);
        for (int c = 0; c < d; c++) {
            assertThat(Float.floatToRawIntBits(back.shift()[c])).isEqualTo(Float.floatToRawIntBits(p.shift()[c]));
            assertThat(Float.floatToRawIntBits(back.scale()[c])).isEqualTo(Float.floatToRawIntBits(p.scale()[c]));
        }
        assertThat(back.apply(train).fingerprint()).isEqualTo(p.apply(train).fingerprint());

        Preprocessor cat = Preprocessor.fit(withCategory(), true);
        Preprocessor catBack = Preprocessor.fromJson(mapper.readTree(mapper.writeValueAsString(cat.toJson())));
        assertThat(catBack).isEqualTo(cat);
        assertThat(catBack.outputColumns()).isEqualTo(cat.outputColumns());
        assertThat(Preprocessor.fromJson(Preprocessor.identity(3).toJson()).isIdentity()).isTrue();
    }

    /** Written by version 1 of the format; must keep loading and transforming the same. */
    @Test
    void goldenVersion1FileStillLoads() throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("preprocessor-v1.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        Preprocessor p = Preprocessor.fromJson(golden);
        Preprocessor fitted = Preprocessor.fit(withCategory(), true);
        assertThat(p.outputColumns()).isEqualTo(fitted.outputColumns());
        assertThat(p.shift()).containsExactly(fitted.shift());
        assertThat(p.scale()).containsExactly(fitted.scale());
        // Version 1 knew no imputation and refused unseen categories; so does the file read today.
        assertThat(p.imputedValues()).containsOnly(Float.NaN);
        assertThat(p.unseenCategories()).isEqualTo(UnseenCategories.ERROR);
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"blue", ""}))
                .hasMessage("column 'x': empty cell (expected: a finite number)");
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"pink", "2"}))
                .hasMessage("column 'color': unknown category 'pink' (expected: one of [blue, green, red])");
        // shift of x = 2 (float bits 0x40000000), scale = sqrt(8/3) rounded to float (bits 0x3FD105EC).
        assertThat(p.shift()[1]).isEqualTo(2f);
        assertThat(Float.floatToIntBits(p.scale()[1])).isEqualTo(0x3FD105EC);
        assertThat(p.parseAndTransform(new String[] {"blue", "2"})).containsExactly(1f, 0f, 0f, 0f);
    }

    /**
     * Written once, pretty-printed, by {@code Preprocessor.fit(d, true).toJson()} when version 3 was introduced,
     * for the CSV {@code a,k,kind,color,y / 1,5,x,red,0 / 2,,x,blue,1 / NA,5,x,,0 / 4,5,x,blue,1} read with kind
     * and color categorical: a's mean 7/3 (bits 0x40155555) imputes and shifts, k and kind are constant and
     * dropped, color has the empty category. It must keep loading, writing and transforming the same.
     */
    @Test
    void goldenVersion3FileLoadsAndWritesTheSame() throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("preprocessor-v3.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        Preprocessor p = Preprocessor.fromJson(golden);
        assertThat(p.toJson()).isEqualTo(golden);
        float mean = 7f / 3f;
        assertThat(Float.floatToIntBits(mean)).isEqualTo(0x40155555);
        assertThat(p.imputedValues()).containsExactly(mean, 5f, Float.NaN, Float.NaN);
        assertThat(p.droppedColumns()).containsExactly("k", "kind");
        assertThat(p.unseenCategories()).isEqualTo(UnseenCategories.ZERO);
        assertThat(p.outputColumns()).containsExactly("a", "color=", "color=blue", "color=red");
        // The imputed a standardises to 0; an unseen colour gives zeros; the dropped cells are ignored.
        assertThat(p.parseAndTransform(new String[] {"", "", "", "purple"})).containsExactly(0f, 0f, 0f, 0f);
        float scale = p.scale()[0];
        assertThat(p.parseAndTransform(new String[] {"4", "7", "y", ""})).containsExactly((4f - mean) / scale, 1f, 0f,
                0f);
    }

    @Test
    void fromJsonRejectsOtherFormatsAndVersions() {
        ObjectNode json = (ObjectNode) Preprocessor.identity(List.of("a")).toJson();
        assertThat(json.get("version").intValue()).isEqualTo(1);
        ObjectNode v5 = json.deepCopy().put("version", 5);
        assertThatThrownBy(() -> Preprocessor.fromJson(v5))
                .hasMessage("preprocessor JSON: version 5 (expected: 1 to 4 (this library reads versions up to 4))");
        ObjectNode other = json.deepCopy().put("format", "something");
        assertThatThrownBy(() -> Preprocessor.fromJson(other))
                .hasMessage("preprocessor JSON: format \"something\" (expected: 'ringfold-preprocessor')");
        ObjectNode shortShift = json.deepCopy().put("shift", "AAAA");
        assertThatThrownBy(() -> Preprocessor.fromJson(shortShift))
                .hasMessage("preprocessor JSON: shift of 3 bytes (expected: 4 bytes, one float32 per input column)");
        JsonNode notObject = new ObjectMapper().getNodeFactory().arrayNode();
        assertThatThrownBy(() -> Preprocessor.fromJson(notObject)).hasMessageContaining("not a JSON object");
    }
}
