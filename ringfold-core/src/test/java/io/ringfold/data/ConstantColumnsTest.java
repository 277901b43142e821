package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Columns with one value in every training row leave the model's input, but not the rows it reads. */
class ConstantColumnsTest {

    /** k is 5 wherever present (so 5 after imputation too), kind is always x; a and color vary. */
    private static final String CSV = "a,k,kind,color,y\n"
            + "1,5,x,red,0\n"
            + "2,,x,blue,1\n"
            + "3,5,x,red,0\n"
            + "4,5,x,blue,1\n";

    @TempDir
    Path dir;

    private Dataset table() {
        return new CsvReader().withCategorical(List.of("kind", "color")).read(TestFiles.text(dir, "c.csv", CSV));
    }

    @Test
    void constantNumericAndCategoricalColumnsHaveNoOutputColumn() {
        Preprocessor p = Preprocessor.fit(table(), true);
        assertThat(p.droppedColumns()).containsExactly("k", "kind");
        assertThat(p.inputColumns()).containsExactly("a", "k", "kind", "color");
        assertThat(p.outputColumns()).containsExactly("a", "color=blue", "color=red");
        Dataset out = p.apply(table());
        assertThat(out.schema().featureNames()).isEqualTo(p.outputColumns());
        float std = (float) Math.sqrt(1.25);
        assertThat(((FloatMatrix) out.features()).data()).containsExactly(
                -1.5f / std, 0, 1,
                -0.5f / std, 1, 0,
                0.5f / std, 0, 1,
                1.5f / std, 1, 0);
        // A row to predict still has every input column; what the dropped ones hold does not matter.
        float[] expected = p.parseAndTransform(new String[] {"2", "5", "x", "blue"});
        assertThat(expected).containsExactly(-0.5f / std, 1, 0);
        assertThat(p.parseAndTransform(new String[] {"2", "-40", "never seen", "blue"})).containsExactly(expected);
        assertThat(p.parseAndTransform(new String[] {"2", "", "", "blue"})).containsExactly(expected);
        assertThat(p.transformRow(new float[] {2, 123, 0, 0})).containsExactly(expected);
        assertThat(p.isIdentity()).isFalse();
    }

    @Test
    void droppedColumnsSurviveTheJsonForm() throws Exception {
        Preprocessor p = Preprocessor.fit(table(), false);
        ObjectMapper mapper = new ObjectMapper();
        var json = mapper.readTree(mapper.writeValueAsString(p.toJson()));
        assertThat(json.get("dropped")).hasSize(2);
        Preprocessor back = Preprocessor.fromJson(json);
        assertThat(back).isEqualTo(p);
        assertThat(back.outputColumns()).containsExactly("a", "color=blue", "color=red");
    }

    @Test
    void imagesAndSparseDataKeepEveryColumn() {
        // Digits-like: a pixel that is 0 in every image stays, as a convolution needs the grid.
        Dataset image = Dataset.of(new FloatMatrix(2, 4, new float[] {0, 1, 2, 3, 0, 4, 5, 6}), new float[2],
                Schema.numeric(4), "img").withExampleShape(io.ringfold.nn.Shape.of(1, 2, 2));
        assertThat(Preprocessor.fit(image, true).droppedColumns()).isEmpty();
        // LIBSVM-like: column 1 holds no entry at all.
        CsrMatrix csr = new CsrMatrix(2, 2, new int[] {0, 1, 2}, new int[] {0, 0}, new float[] {3, 1});
        Preprocessor sparse = Preprocessor.fit(Dataset.of(csr, new float[2], Schema.numeric(2), "s"), true);
        assertThat(sparse.droppedColumns()).isEmpty();
        assertThat(sparse.outputWidth()).isEqualTo(2);
    }

    @Test
    void dataWithNothingButConstantColumnsIsRefused() {
        Dataset d = Dataset.of(new FloatMatrix(3, 2, new float[] {1, 7, 1, 7, 1, 7}), new float[] {0, 1, 0},
                new Schema(List.of("a", "b"), List.of(), Map.of()), "flat.csv");
        assertThatThrownBy(() -> Preprocessor.fit(d, true)).isInstanceOf(DataFormatException.class)
                .hasMessage("flat.csv: every feature column is constant in the 3 training rows [a, b] (expected: at"
                        + " least one column whose value varies)");
    }
}
