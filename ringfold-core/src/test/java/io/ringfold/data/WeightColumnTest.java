package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample-weight column of a CSV file: read, checked at the boundary, and carried with its rows. */
class WeightColumnTest {

    @TempDir
    Path dir;

    @Test
    void theWeightColumnIsReadAndIsNotAFeature() {
        Path f = TestFiles.text(dir, "w.csv", "a,w,b,y\n1,2,10,0\n2,0.5,20,1\n3,0,30,0\n");
        Dataset d = new CsvReader().withLabelColumn("y").withWeightColumn("w").read(f);
        assertThat(d.schema().featureNames()).containsExactly("a", "b");
        assertThat(((FloatMatrix) d.features()).data()).containsExactly(1, 10, 2, 20, 3, 30);
        assertThat(d.weights()).containsExactly(2f, 0.5f, 0f);
        // By 0-based index, as the other column options.
        assertThat(new CsvReader().withWeightColumn("1").read(f).weights()).containsExactly(2f, 0.5f, 0f);
        assertThat(new CsvReader().read(f).weights()).isNull();
        assertThat(d.toString()).endsWith(", weighted]");
    }

    @Test
    void badWeightsAreOneLineNamingFileLineAndColumn() {
        assertBad("a,w,y\n1,1,0\n2,-1,1\n", "3: negative weight '-1' in weight column 'w' (expected: a finite number"
                + " >= 0)");
        assertBad("a,w,y\n1,heavy,0\n", "2: non-numeric value 'heavy' in weight column 'w' (expected: a finite number"
                + " >= 0)");
        assertBad("a,w,y\n1,1,0\n2,,1\n", "3: empty cell in weight column 'w' (expected: a finite number >= 0)");
        assertBad("a,w,y\n1,NaN,0\n", "2: non-finite value 'NaN' in weight column 'w' (expected: a finite number"
                + " >= 0)");
        assertBad("a,w,y\n1,1e39,0\n", "2: value '1e39' overflows float in weight column 'w' (expected: a finite"
                + " number >= 0)");
        assertBad("a,w,y\n1,0,0\n2,0,1\n", "1: weight column 'w' is 0 in all 2 rows (expected: at least one weight"
                + " > 0)");
    }

    @Test
    void theWeightColumnMustBeAColumnOfItsOwn() {
        Path f = TestFiles.text(dir, "c.csv", "a,w,y\n1,1,0\n");
        assertThatThrownBy(() -> new CsvReader().withWeightColumn("y").read(f))
                .hasMessage(f + ":1: weight column 'y' is the label (expected: a column other than the label)");
        assertThatThrownBy(() -> new CsvReader().withWeightColumn("v").read(f))
                .hasMessageStartingWith(f + ":1: weight column 'v' not found");
        assertThatThrownBy(() -> new CsvReader().withWeightColumn("w").withCategorical(List.of("w")).read(f))
                .hasMessage(f + ":1: weight column 'w' declared categorical (expected: a column of numbers, not a"
                        + " feature)");
        Path two = TestFiles.text(dir, "two.csv", "w,y\n1,0\n");
        assertThatThrownBy(() -> new CsvReader().withWeightColumn("w").read(two))
                .hasMessage(two + ":1: 2 columns with a label and a weight column (expected: at least 3 (features, a"
                        + " label and the weights))");
    }

    @Test
    void splitsSubsetsAndPreprocessingCarryTheWeightsWithTheirRows() {
        StringBuilder csv = new StringBuilder("id,w,y\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i).append(',').append(i % 7 + 0.25).append(',').append(i % 2).append('\n');
        }
        Dataset d = new CsvReader().withWeightColumn("w").read(TestFiles.text(dir, "s.csv", csv.toString()));
        long seed = 11;
        Dataset.Split split = d.split(0.25, seed);
        for (Dataset part : List.of(split.rest(), split.heldOut(), d.subset(new int[] {5, 5, 39}))) {
            float[] ids = ((FloatMatrix) part.features()).data();
            for (int r = 0; r < part.size(); r++) {
                assertThat(part.weights()[r]).as("seed %d, id %s", seed, ids[r]).isEqualTo((int) ids[r] % 7 + 0.25f);
                assertThat(part.where(r)).isEqualTo(d.source() + ":" + ((int) ids[r] + 2));
            }
        }
        Dataset pre = Preprocessor.fit(split.rest(), true).apply(split.rest());
        assertThat(pre.weights()).isSameAs(split.rest().weights());
    }

    @Test
    void weightsArePartOfTheFingerprintAndCheckedWhenGiven() {
        Dataset d = new CsvReader().read(TestFiles.text(dir, "p.csv", "a,y\n1,0\n2,1\n"));
        Dataset weighted = d.withWeights(new float[] {1, 1});
        assertThat(weighted.weights()).containsExactly(1f, 1f);
        assertThat(weighted.fingerprint()).isNotEqualTo(d.fingerprint())
                .isNotEqualTo(d.withWeights(new float[] {1, 2}).fingerprint());
        assertThatThrownBy(() -> d.withWeights(new float[] {1, -1}))
                .hasMessage("weights[1]: -1.0 (expected: finite, >= 0)");
        assertThatThrownBy(() -> d.withWeights(new float[] {0, 0}))
                .hasMessage("weights: all 2 are 0 (expected: at least one > 0)");
        assertThatThrownBy(() -> d.withWeights(new float[] {1}))
                .hasMessage("weights: 1 (expected: one per row, 2)");
        assertThatThrownBy(() -> d.withWeights(new float[] {1, Float.POSITIVE_INFINITY}))
                .hasMessage("weights[1]: Infinity (expected: finite, >= 0)");
    }

    @Test
    void theDataSpecKeyReadsTrainingAndTestWeights() {
        Path train = TestFiles.text(dir, "train.csv", "a,w,y\n1,2,0\n2,3,1\n");
        Path test = TestFiles.text(dir, "test.csv", "a,w,y\n5,4,1\n");
        DataSpec spec = DataSpec.parse("csv:" + train + "?label=y&weight=w&test=" + test);
        DataSpec.LoadedData data = spec.load();
        assertThat(data.train().weights()).containsExactly(2f, 3f);
        assertThat(data.test().orElseThrow().weights()).containsExactly(4f);
        assertThat(spec.describe()).contains("weight column 'w'");
        assertThatThrownBy(() -> DataSpec.parse("csv:" + train + "?weight=")).hasMessageContaining("empty value for"
                + " 'weight'");
        assertThatThrownBy(() -> DataSpec.parse("csv:" + train + "?weight=a,w")).hasMessageContaining("weight=a,w"
                + " names several columns");
    }

    private void assertBad(String content, String lineAndMessage) {
        Path f = TestFiles.text(dir, "bad.csv", content);
        assertThatThrownBy(() -> new CsvReader().withWeightColumn("w").read(f)).isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":" + lineAndMessage);
    }
}
