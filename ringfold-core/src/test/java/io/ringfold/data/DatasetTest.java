package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Golden fingerprints and held-out rows come from
 * src/test/resources/io/ringfold/data/reference_fingerprint_split.py, written from the documented byte
 * layout and algorithm.
 */
class DatasetTest {

    /** Row i has features (i, -i) and label i mod 3. */
    static Dataset numbered(int n) {
        float[] x = new float[2 * n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        return Dataset.of(new FloatMatrix(n, 2, x), y, Schema.numeric(2), "numbered");
    }

    private static Dataset small(boolean sparse) {
        FloatMatrix dense = new FloatMatrix(2, 3, new float[] {1f, 0f, -2.5f, 0.1f, 3f, 0f});
        CsrMatrix csr = new CsrMatrix(2, 3, new int[] {0, 2, 4}, new int[] {0, 2, 0, 1},
                new float[] {1f, -2.5f, 0.1f, 3f});
        return Dataset.of(sparse ? csr : dense, new float[] {0f, 1f}, Schema.numeric(3), "small");
    }

    @Test
    void fingerprintMatchesIndependentReference() {
        assertThat(small(false).fingerprint())
                .isEqualTo("b6e11f0fa1b98f3b29cbe6c581d288f6cfc84bf7871a8dc7f4aabdf77d487ff9");
        assertThat(small(true).fingerprint())
                .isEqualTo("f5138b476953dd54eea68f76b9fbf5942e2ffa9c0f5e03fbf5b35f4755633893");
    }

    /** Feature n (1, 2), text column body ("Héllo,\r\nworld", ""), labels 0, 1. */
    private static Dataset text() {
        Schema s = new Schema(List.of("n", "body"), List.of(), Map.of(), "label", Map.of("body", TextOptions.DEFAULTS));
        return Dataset.of(new FloatMatrix(2, 2, new float[] {1f, 0f, 2f, 0f}), new float[] {0f, 1f}, s, "text",
                List.of("Héllo,\r\nworld", ""));
    }

    @Test
    void fingerprintOfTextMatchesIndependentReferenceAndCarriesTheDocuments() {
        assertThat(text().fingerprint()).isEqualTo("7ccb5367c5e104e64ad41730724445c774c5293308e721dbf1a8ddd51f21bbab");
        Dataset t = text();
        Dataset swapped = t.subset(new int[] {1, 0});
        assertThat(swapped.documents()).containsExactly("", "Héllo,\r\nworld");
        assertThat(swapped.labels()).containsExactly(1f, 0f);
        assertThat(t.split(0.5, 3).heldOut().documents()).hasSize(1).isSubsetOf(t.documents());
        Dataset otherText = Dataset.of(t.features(), t.labels(), t.schema(), "text", List.of("Hello,\r\nworld", ""));
        assertThat(otherText.fingerprint()).isNotEqualTo(t.fingerprint());
        assertThatThrownBy(() -> Dataset.of(t.features(), t.labels(), t.schema(), "text", List.of("one")))
                .hasMessage("documents: 1 (expected: one per row, 2, for text column [body])");
        assertThatThrownBy(() -> Dataset.of(t.features(), t.labels(), t.schema(), "text"))
                .hasMessage("documents: none (expected: one per row, 2, for text column [body])");
        assertThatThrownBy(() -> new Schema(List.of("a", "b"), List.of(), Map.of(), "y",
                Map.of("a", TextOptions.DEFAULTS, "b", TextOptions.DEFAULTS)))
                .hasMessageStartingWith("textColumns: [").hasMessageEndingWith("] (expected: at most one text column;"
                        + " join the texts into one column)");
    }

    @Test
    void fingerprintIsStableAndSensitive() {
        Dataset a = numbered(50);
        assertThat(numbered(50).fingerprint()).isEqualTo(a.fingerprint());
        float[] y = a.labels().clone();
        y[49] = 0f;
        Dataset changedLabel = Dataset.of(a.features(), y, a.schema(), "other");
        assertThat(changedLabel.fingerprint()).isNotEqualTo(a.fingerprint());
        FloatMatrix x = ((FloatMatrix) a.features()).copy();
        x.set(0, 0, Math.nextUp(0f));
        assertThat(Dataset.of(x, a.labels(), a.schema(), "x").fingerprint()).isNotEqualTo(a.fingerprint());
        // Same numbers, other shape.
        Dataset reshaped = Dataset.of(new FloatMatrix(2, 50, ((FloatMatrix) a.features()).data()),
                new float[] {0f, 1f}, Schema.numeric(50), "r");
        assertThat(reshaped.fingerprint()).isNotEqualTo(a.fingerprint());
    }

    @Test
    void ofCopiesItsInputs() {
        float[] x = {1f, 2f};
        float[] y = {0f};
        Dataset d = Dataset.of(new FloatMatrix(1, 2, x), y, Schema.numeric(2), "copy");
        x[0] = 9f;
        y[0] = 5f;
        assertThat(d.features().get(0, 0)).isEqualTo(1f);
        assertThat(d.label(0)).isEqualTo(0f);
    }

    @Test
    void splitIsSeededAndReproducible() {
        Dataset d = numbered(10);
        Dataset.Split s = d.split(0.3, 42);
        assertThat(labelsAsRows(s.heldOut())).containsExactly(3, 4, 8);
        assertThat(labelsAsRows(s.rest())).containsExactly(0, 1, 2, 5, 6, 7, 9);
        assertThat(labelsAsRows(numbered(20).split(0.25, -7).heldOut())).containsExactly(0, 6, 12, 17, 19);
        Dataset big = numbered(1000);
        Dataset.Split again = big.split(0.2, 7);
        assertThat(again.heldOut().fingerprint()).isEqualTo(big.split(0.2, 7).heldOut().fingerprint());
        assertThat(again.heldOut().fingerprint()).isNotEqualTo(big.split(0.2, 8).heldOut().fingerprint());
        assertThat(again.heldOut().size()).isEqualTo(200);
        assertThat(again.rest().size()).isEqualTo(800);
        TreeSet<Integer> all = new TreeSet<>(labelsAsRows(again.heldOut()));
        all.addAll(labelsAsRows(again.rest()));
        assertThat(all).hasSize(1000); // disjoint and covering
    }

    /** Row numbers recovered from the first feature, which is the row index. */
    private static List<Integer> labelsAsRows(Dataset d) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            rows.add((int) d.features().get(i, 0));
        }
        return rows;
    }

    @Test
    void splitValidatesFraction() {
        Dataset d = numbered(10);
        assertThatThrownBy(() -> d.split(0, 1)).hasMessage("heldOutFraction: 0.0 (expected: 0 < f < 1)");
        assertThatThrownBy(() -> d.split(1, 1)).hasMessage("heldOutFraction: 1.0 (expected: 0 < f < 1)");
        assertThatThrownBy(() -> d.split(Double.NaN, 1)).hasMessage("heldOutFraction: NaN (expected: 0 < f < 1)");
        assertThatThrownBy(() -> d.split(0.01, 1))
                .hasMessage("heldOutFraction: 0.01 of 10 rows holds out 0 (expected: between 1 and 9 rows)");
    }

    @Test
    void subsetGathersInOrderForDenseAndSparse() {
        Dataset d = numbered(5).subset(new int[] {4, 0, 4});
        assertThat(labelsAsRows(d)).containsExactly(4, 0, 4);
        assertThat(d.labels()).containsExactly(1f, 0f, 1f);
        Dataset s = small(true).subset(new int[] {1});
        assertThat(s.isSparse()).isTrue();
        assertThat(s.features().get(0, 1)).isEqualTo(3f);
        assertThatThrownBy(() -> numbered(5).subset(new int[] {5}))
                .hasMessage("rows[0]: 5 (expected: in [0, 5))");
    }

    @Test
    void numClassesNamesTheFirstBadRow() {
        assertThat(numbered(10).numClasses()).isEqualTo(3);
        Dataset frac = Dataset.of(new FloatMatrix(3, 1), new float[] {0f, 2.5f, -1f}, Schema.numeric(1), "frac");
        assertThat(frac.integralLabels()).isFalse();
        assertThatThrownBy(frac::numClasses).isInstanceOf(IllegalStateException.class)
                .hasMessage("frac: row 1 has label 2.5 (expected: integer class index >= 0 for classification)");
        Schema named = new Schema(List.of("a"), List.of("x", "y", "z"), Map.of());
        assertThat(Dataset.of(new FloatMatrix(1, 1), new float[] {0f}, named, "n").numClasses()).isEqualTo(3);
    }

    @Test
    void constructorChecksShapes() {
        assertThatThrownBy(() -> Dataset.of(new FloatMatrix(2, 1), new float[1], Schema.numeric(1), "s"))
                .hasMessage("labels: 1 (expected: one per row, 2)");
        assertThatThrownBy(() -> Dataset.of(new FloatMatrix(1, 2), new float[1], Schema.numeric(1), "s"))
                .hasMessage("schema: 1 feature names (expected: 2, one per column)");
        assertThatThrownBy(() -> Dataset.of(new FloatMatrix(1, 1), new float[] {Float.NaN}, Schema.numeric(1), "s"))
                .hasMessage("labels[0]: NaN (expected: finite)");
        assertThatThrownBy(() -> Dataset.of(new FloatMatrix(1, 2, new float[] {0f, Float.NaN}), new float[1],
                Schema.numeric(2), "s")).hasMessage("s: feature (0, 1) is NaN (expected: finite)");
    }
}
