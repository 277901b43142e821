package io.ringfold.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reference values: scikit-learn's, printed by src/test/resources/io/ringfold/eval/sklearn_metrics.py (ROC AUC,
 * PR AUC, log loss, per-class and macro scores); hand-derived where noted; otherwise printed by
 * reference_metrics.py beside it (numpy; AUC by counting pairs).
 */
class ClassificationMetricsTest {

    private static final int[] BINARY_LABELS = {0, 0, 1, 1, 0, 1, 1, 0, 1, 0};
    private static final float[] BINARY_P1 = {0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.9f, 0.4f, 0.2f, 0.65f, 0.55f};

    /** Three scores shared by both classes, and probabilities 0 and 1 on the wrong side. */
    private static final int[] TIED_LABELS = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0};
    private static final float[] TIED_P1 = {0.8f, 0.8f, 0.8f, 0.5f, 0.5f, 0.5f, 0.5f, 0.2f, 0.2f, 0.2f, 0.0f, 1.0f};

    private static final int[] THREE_LABELS = {0, 1, 2, 2, 1, 0};
    private static final float[] THREE_P = {
        0.7f, 0.2f, 0.1f,
        0.1f, 0.6f, 0.3f,
        0.2f, 0.5f, 0.3f,
        0.0f, 0.1f, 0.9f,
        0.5f, 0.0f, 0.5f,
        0.3f, 0.3f, 0.4f};

    /** Class 2 is in the labels but never predicted, class 3 in neither; some rows do not sum to 1. */
    private static final int[] FOUR_LABELS = {0, 0, 1, 1, 2, 0, 1};
    private static final float[] FOUR_P = {
        0.9f, 0.05f, 0.05f, 0.0f,
        0.3f, 0.6f, 0.1f, 0.0f,
        0.2f, 0.7f, 0.1f, 0.0f,
        0.1f, 0.8f, 0.1f, 0.0f,
        0.6f, 0.2f, 0.2f, 0.0f,
        0.5f, 0.3f, 0.1f, 0.2f,
        0.3f, 0.3f, 0.3f, 0.3f};

    @Test
    void binarySingleColumnMatchesScikitLearn() {
        ClassificationMetrics m = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        assertThat(m.numClasses()).isEqualTo(2);
        assertThat(m.auc()).hasValueCloseTo(0.80000000000000004, within(1e-12));
        assertThat(m.prAuc()).hasValueCloseTo(0.8392857142857143, within(1e-12));
        assertThat(m.logLoss()).isCloseTo(0.48740629522975676, within(1e-12));
        assertThat(m.accuracy()).isCloseTo(0.7, within(1e-12));
        // Hand count: predicted 1 when p > 0.5 -> rows 3, 5, 8, 9.
        assertThat(m.confusion()).isEqualTo(new int[][] {{4, 1}, {2, 3}});
        assertScores(m.perClass().get(0), 0.66666666666666663, 0.80000000000000004, 0.72727272727272718, 5);
        assertScores(m.perClass().get(1), 0.75, 0.59999999999999998, 0.66666666666666652, 5);
        assertMacro(m, 0.70833333333333326, 0.69999999999999996, 0.69696969696969679);
        assertThat(m.aucUndefinedReason()).isEmpty();
    }

    @Test
    void tiedScoresAndClippedProbabilitiesMatchScikitLearn() {
        ClassificationMetrics m = ClassificationMetrics.of(TIED_LABELS, TIED_P1);
        assertThat(m.auc()).hasValueCloseTo(0.44444444444444442, within(1e-12));
        assertThat(m.prAuc()).hasValueCloseTo(0.49242424242424243, within(1e-12));
        // Rows 10 and 11 put probability 0 on their true class: clipped to 2^-23, not infinite.
        assertThat(m.logLoss()).isCloseTo(3.2307340900395043, within(1e-12));
        // The four rows at exactly 0.5 are predicted as class 0 (class 1 only when P exceeds the threshold).
        assertScores(m.perClass().get(0), 0.5, 0.66666666666666663, 0.57142857142857151, 6);
        assertScores(m.perClass().get(1), 0.5, 0.33333333333333331, 0.40000000000000002, 6);
        assertMacro(m, 0.5, 0.5, 0.48571428571428577);
    }

    @Test
    void aDecisionThresholdChangesThePredictionsNotTheProbabilityMetrics() {
        ClassificationMetrics at05 = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        ClassificationMetrics m = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1, 0.6);
        // Row 9 (p = 0.55, class 0) is now predicted 0.
        assertThat(m.confusion()).isEqualTo(new int[][] {{5, 0}, {2, 3}});
        assertThat(m.accuracy()).isCloseTo(0.8, within(1e-12));
        assertScores(m.perClass().get(0), 0.7142857142857143, 1, 0.83333333333333326, 5);
        assertScores(m.perClass().get(1), 1, 0.59999999999999998, 0.74999999999999989, 5);
        assertMacro(m, 0.85714285714285721, 0.80000000000000004, 0.79166666666666652);
        assertThat(m.logLoss()).isEqualTo(at05.logLoss());
        assertThat(m.auc()).isEqualTo(at05.auc());
        assertThat(m.prAuc()).isEqualTo(at05.prAuc());
        assertThatThrownBy(() -> ClassificationMetrics.of(BINARY_LABELS, BINARY_P1, 1.5))
                .hasMessage("threshold: 1.5 (expected: in [0, 1])");
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
        assertThat(both.prAuc()).isEqualTo(one.prAuc());
        assertThat(both.accuracy()).isEqualTo(one.accuracy());
        assertThat(both.confusion()).isEqualTo(one.confusion());
        assertThat(both.perClass()).isEqualTo(one.perClass());
        assertThat(both.logLoss()).isCloseTo(one.logLoss(), within(1e-6)); // 1 - p rounded to float
    }

    @Test
    void threeClassesMatchScikitLearnAndHandCount() {
        ClassificationMetrics m = ClassificationMetrics.of(THREE_LABELS, THREE_P);
        assertThat(m.numClasses()).isEqualTo(3);
        assertThat(m.auc()).isEmpty();
        assertThat(m.prAuc()).isEmpty();
        assertThat(m.aucUndefinedReason()).isEmpty();
        // Row 4's true class has probability 0: clipped, the row renormalised.
        assertThat(m.logLoss()).isCloseTo(3.2205320099628931, within(1e-12));
        // Predicted (first maximum wins ties): 0, 1, 1, 2, 0, 2.
        assertThat(m.confusion()).isEqualTo(new int[][] {{1, 0, 1}, {1, 1, 0}, {0, 1, 1}});
        assertThat(m.accuracy()).isEqualTo(0.5);
        for (int c = 0; c < 3; c++) {
            assertScores(m.perClass().get(c), 0.5, 0.5, 0.5, 2);
        }
        assertMacro(m, 0.5, 0.5, 0.5);
    }

    @Test
    void classesNeverPredictedOrAbsentMatchScikitLearn() {
        ClassificationMetrics m = ClassificationMetrics.of(FOUR_LABELS, FOUR_P);
        assertThat(m.logLoss()).isCloseTo(0.8104774408912423, within(1e-12));
        List<ClassScores> s = m.perClass();
        assertScores(s.get(0), 0.5, 0.66666666666666663, 0.57142857142857151, 3);
        assertScores(s.get(1), 0.66666666666666663, 0.66666666666666663, 0.66666666666666663, 3);
        assertScores(s.get(2), 0, 0, 0, 1);
        assertScores(s.get(3), 0, 0, 0, 0);
        // Class 3 is in neither the labels nor the predictions: left out of the means, as scikit-learn does.
        assertThat(s.get(3).occurs()).isFalse();
        assertMacro(m, 0.38888888888888884, 0.44444444444444442, 0.41269841269841273);
    }

    @Test
    void floatLabelsAndPerfectPrediction() {
        ClassificationMetrics m = ClassificationMetrics.of(new float[] {1f, 0f}, new float[] {0f, 1f, 1f, 0f});
        assertThat(m.accuracy()).isEqualTo(1.0);
        // Each true probability 1 is clipped to 1 - 2^-23 and renormalised by 1: -ln(1 - 2^-23), by hand.
        assertThat(m.logLoss()).isCloseTo(-Math.log1p(-0x1p-23), within(1e-15));
        assertThat(m.auc()).hasValue(1.0);
        assertThat(m.prAuc()).hasValue(1.0);
        assertThat(m.macroF1()).isEqualTo(1.0);
    }

    @Test
    void allTiedScoresGiveHalfAucAndThePositiveRateAsPrAuc() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 0, 1, 1},
                new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
        assertThat(m.auc()).hasValue(0.5);
        // One threshold: recall 0 -> 1 at precision 3/5, by hand.
        assertThat(m.prAuc()).hasValueCloseTo(0.6, within(1e-15));
        // ln 2, by hand.
        assertThat(m.logLoss()).isCloseTo(Math.log(2), within(1e-15));
    }

    @Test
    void aucAndPrAucUndefinedWhenOneClassOnly() {
        ClassificationMetrics ones = ClassificationMetrics.of(new int[] {1, 1}, new float[] {0.3f, 0.9f});
        assertThat(ones.auc()).isEmpty();
        assertThat(ones.prAuc()).isEmpty();
        assertThat(ones.aucUndefinedReason()).hasValue(
                "only class 1 in the labels (expected: both classes for ROC AUC and PR AUC)");
        ObjectNode json = ones.toJson();
        assertThat(json.has("auc")).isFalse();
        assertThat(json.has("prAuc")).isFalse();
        assertThat(json.get("aucUndefined").asText()).startsWith("only class 1 in the labels");
        // The rest is still defined. Row 0 is predicted as class 0, so class 0 counts in the macro means with
        // precision 0/1 and recall 0 (no examples); class 1 has precision 1/1, recall 1/2. By hand, and
        // scikit-learn's precision_recall_fscore_support([1, 1], [0, 1], average="macro", zero_division=0).
        assertThat(ones.accuracy()).isEqualTo(0.5);
        assertThat(ones.macroPrecision()).isEqualTo(0.5);
        assertThat(ones.macroRecall()).isEqualTo(0.25);
        assertThat(ones.macroF1()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(Double.isFinite(ones.logLoss())).isTrue();

        ClassificationMetrics zeros = ClassificationMetrics.of(new int[] {0, 0, 0}, new float[] {0.3f, 0.9f, 0f});
        assertThat(zeros.prAuc()).isEmpty();
        assertThat(zeros.aucUndefinedReason()).hasValueSatisfying(r -> assertThat(r).startsWith("only class 0"));
    }

    @Test
    void mapAndJsonViews() {
        ClassificationMetrics m = ClassificationMetrics.of(BINARY_LABELS, BINARY_P1);
        ObjectNode json = m.toJson();
        assertThat(m.toMap()).containsOnlyKeys("count", "numClasses", "accuracy", "logLoss", "macroF1",
                "macroPrecision", "macroRecall", "auc", "prAuc", "perClass", "confusion");
        assertThat(json.get("confusion").get(1).get(0).intValue()).isEqualTo(2);
        assertThat(json.get("auc").doubleValue()).isEqualTo(m.auc().getAsDouble());
        assertThat(json.get("prAuc").doubleValue()).isEqualTo(m.prAuc().getAsDouble());
        assertThat(json.get("macroPrecision").doubleValue()).isEqualTo(m.macroPrecision());
        JsonNode class1 = json.get("perClass").get(1);
        assertThat(class1.get("label").intValue()).isEqualTo(1);
        assertThat(class1.get("precision").doubleValue()).isEqualTo(m.perClass().get(1).precision());
        assertThat(class1.get("support").isInt()).isTrue();
        assertThat(class1.get("support").intValue()).isEqualTo(5);
        assertThat(json.has("aucUndefined")).isFalse();
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

    private static void assertScores(ClassScores s, double precision, double recall, double f1, int support) {
        assertThat(s.precision()).as("class %d precision", s.label()).isCloseTo(precision, within(1e-12));
        assertThat(s.recall()).as("class %d recall", s.label()).isCloseTo(recall, within(1e-12));
        assertThat(s.f1()).as("class %d f1", s.label()).isCloseTo(f1, within(1e-12));
        assertThat(s.support()).as("class %d support", s.label()).isEqualTo(support);
    }

    private static void assertMacro(ClassificationMetrics m, double precision, double recall, double f1) {
        assertThat(m.macroPrecision()).isCloseTo(precision, within(1e-12));
        assertThat(m.macroRecall()).isCloseTo(recall, within(1e-12));
        assertThat(m.macroF1()).isCloseTo(f1, within(1e-12));
    }
}
