package io.ringfold.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Reference values: hand-derived where noted, otherwise printed by
 * src/test/resources/io/ringfold/eval/reference_metrics.py (numpy; AUC by counting pairs).
 */
class ClassificationMetricsTest {

    private static final int[] BINARY_LABELS = {0, 0, 1, 1, 0, 1, 1, 0, 1, 0};
    private static final float[] BINARY_P1 = {0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.9f, 0.4f, 0.2f, 0.65f, 0.55f};

    @Test
    void binarySingleColumnMatchesReference() {
        ClassificationMetrics m = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        assertThat(m.numClasses()).isEqualTo(2);
        assertThat(m.auc()).hasValueCloseTo(0.8, within(1e-12));
        assertThat(m.logLoss()).isCloseTo(0.48740629522975676, within(1e-12));
        assertThat(m.accuracy()).isCloseTo(0.7, within(1e-12));
        // Hand count: predicted 1 when p > 0.5 -> rows 3, 5, 8, 9.
        assertThat(m.confusion()).isEqualTo(new int[][] {{4, 1}, {2, 3}});
    }

    @Test
    void binaryTwoColumnsGivesTheSameAsOneColumn() {
        float[] two = new float[2 * BINARY_P1.length];
        for (int i = 0; i < BINARY_P1.length; i++) {
            two[2 * i] = 1f - BINARY_P1[i];
            two[2 * i + 1] = BINARY_P1[i];
        }
        ClassificationMetrics one = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        ClassificationMetrics both = ClassificationMetrics.of(BINARY_LABELS, two);
        assertThat(both.auc()).isEqualTo(one.auc());
        assertThat(both.accuracy()).isEqualTo(one.accuracy());
        assertThat(both.confusion()).isEqualTo(one.confusion());
        assertThat(both.logLoss()).isCloseTo(one.logLoss(), within(1e-6)); // 1 - p rounded to float
    }

    @Test
    void threeClassesMatchReferenceAndHandCount() {
        int[] y = {0, 1, 2, 2, 1, 0};
        float[] p = {
            0.7f, 0.2f, 0.1f,
            0.1f, 0.6f, 0.3f,
            0.2f, 0.5f, 0.3f,
            0.0f, 0.1f, 0.9f,
            0.5f, 0.0f, 0.5f,
            0.3f, 0.3f, 0.4f};
        ClassificationMetrics m = ClassificationMetrics.of(y, p);
        assertThat(m.numClasses()).isEqualTo(3);
        assertThat(m.auc()).isEmpty();
        assertThat(m.logLoss()).isCloseTo(6.3199305018727792, within(1e-12));
        // Predicted (first maximum wins ties): 0, 1, 1, 2, 0, 2.
        assertThat(m.confusion()).isEqualTo(new int[][] {{1, 0, 1}, {1, 1, 0}, {0, 1, 1}});
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.macroF1()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void floatLabelsAndPerfectPrediction() {
        ClassificationMetrics m = ClassificationMetrics.of(new float[] {1f, 0f}, new float[] {0f, 1f, 1f, 0f});
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.logLoss()).isEqualTo(0.0);
        assertThat(m.auc()).hasValue(1.0);
        assertThat(m.macroF1()).isEqualTo(1.0);
    }

    @Test
    void allTiedScoresGiveHalfAuc() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 0, 1}, new float[] {0.5f, 0.5f, 0.5f, 0.5f});
        assertThat(m.auc()).hasValue(0.5);
        // ln 2, by hand.
        assertThat(m.logLoss()).isCloseTo(Math.log(2), within(1e-15));
    }

    @Test
    void aucEmptyWhenOneClassOnly() {
        assertThat(ClassificationMetrics.of(new int[] {1, 1}, new float[] {0.3f, 0.9f}).auc()).isEmpty();
    }

    @Test
    void mapAndJsonViews() {
        ClassificationMetrics m = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        assertThat(m.toMap()).containsKeys("count", "accuracy", "logLoss", "macroF1", "auc", "confusion");
        assertThat(m.toJson().get("confusion").get(1).get(0).intValue()).isEqualTo(2);
        assertThat(m.toJson().get("auc").doubleValue()).isEqualTo(m.auc().getAsDouble());
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 3}, new float[] {0.5f, 0.5f, 0.5f, 0.5f}))
                .hasMessage("labels[1]: 3 (expected: in [0, 2))");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 1}, new float[] {0.5f, 0.5f, 0.5f}))
                .hasMessageContaining("probabilities: 3 values for 2 labels");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0}, new float[] {Float.NaN}))
                .hasMessage("probabilities[0, 0]: NaN (expected: in [0, 1])");
        assertThatThrownBy(() -> ClassificationMetrics.of(new float[] {0.5f}, new float[] {0.5f}))
                .hasMessage("labels[0]: 0.5 (expected: integer class index >= 0)");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[0], new float[0]))
                .hasMessageContaining("expected: at least one example");
    }
}
