package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A category that training did not see: all-zero one-hot columns (scikit-learn's
 * {@code OneHotEncoder(handle_unknown="ignore")}), or an error, as fitted and stored.
 */
class UnseenCategoriesTest {

    @TempDir
    Path dir;

    private final CsvReader reader = new CsvReader().withCategorical(List.of("color"));

    private Dataset train() {
        return reader.read(TestFiles.text(dir, "train.csv", "color,x,y\nred,1,0\nblue,2,1\nred,3,0\n"));
    }

    /** green is unseen; the missing colour on line 3 is unseen too, as training had no missing colour. */
    private Dataset test(Dataset train) {
        return reader.withReferenceSchema(train.schema())
                .read(TestFiles.text(dir, "test.csv", "color,x,y\ngreen,1,0\n,2,1\nblue,3,0\n"));
    }

    private static Preprocessor fit(Dataset train, UnseenCategories unseen) {
        return Preprocessor.fit(train, new Preprocessor.Options(false, ImputeStrategy.MEAN, unseen));
    }

    @Test
    void byDefaultAnUnseenCategoryGivesZerosOnEveryPath() {
        Dataset train = train();
        Preprocessor p = Preprocessor.fit(train, true);
        assertThat(p.unseenCategories()).isEqualTo(UnseenCategories.ZERO);
        Preprocessor plain = fit(train, UnseenCategories.ZERO);
        FloatMatrix out = (FloatMatrix) plain.apply(test(train)).features();
        assertThat(plain.outputColumns()).containsExactly("color=blue", "color=red", "x");
        assertThat(out.data()).containsExactly(
                0, 0, 1,
                0, 0, 2,
                1, 0, 3);
        assertThat(plain.transformRow(new float[] {-1, 1})).containsExactly(Arrays.copyOfRange(out.data(), 0, 3));
        assertThat(plain.parseAndTransform(new String[] {"green", "1"})).containsExactly(0f, 0f, 1f);
        assertThat(plain.parseAndTransform(new String[] {"NA", "2"})).containsExactly(0f, 0f, 2f);
    }

    @Test
    void refusedWhenFittedSoNamingFileLineAndColumn() {
        Dataset train = train();
        Preprocessor p = fit(train, UnseenCategories.ERROR);
        Dataset test = test(train);
        assertThatThrownBy(() -> p.apply(test)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(test.source() + ":2: column 'color': a category not seen in training (expected: one of"
                        + " [blue, red], or --unseen-categories zero at training)");
        assertThatThrownBy(() -> p.parseAndTransform(new String[] {"green", "1"}))
                .hasMessage("column 'color': unknown category 'green' (expected: one of [blue, red])");
        assertThatThrownBy(() -> p.transformRow(new float[] {-1, 1}))
                .hasMessage("row, column 'color': a category not seen in training (expected: one of [blue, red], or"
                        + " --unseen-categories zero at training)");
    }

    @Test
    void theChoiceIsStoredWithTheModel() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (UnseenCategories u : UnseenCategories.values()) {
            Preprocessor p = fit(train(), u);
            Preprocessor back = Preprocessor.fromJson(mapper.readTree(mapper.writeValueAsString(p.toJson())));
            assertThat(back.unseenCategories()).isEqualTo(u);
            assertThat(back).isEqualTo(p);
        }
    }

    @Test
    void aMissingCategoryIsItsOwnCategoryWhenTrainingHadOne() {
        Dataset train = reader.read(TestFiles.text(dir, "t.csv", "color,x,y\nred,1,0\nNA,2,1\nblue,3,0\n"));
        Preprocessor p = fit(train, UnseenCategories.ERROR);
        assertThat(p.outputColumns()).containsExactly("color=", "color=blue", "color=red", "x");
        assertThat(p.parseAndTransform(new String[] {"", "5"})).containsExactly(1f, 0f, 0f, 5f);
        assertThat(p.parseAndTransform(new String[] {"None", "5"})).containsExactly(1f, 0f, 0f, 5f);
        Dataset test = reader.withReferenceSchema(train.schema())
                .read(TestFiles.text(dir, "u.csv", "color,x,y\n?,4,1\n"));
        assertThat(((FloatMatrix) p.apply(test).features()).data()).containsExactly(1f, 0f, 0f, 4f);
    }
}
