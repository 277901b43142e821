package io.ringfold.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** References printed by src/test/resources/io/ringfold/eval/reference_metrics.py, or derived by hand. */
class RegressionMetricsTest {

    @Test
    void matchesReference() {
        RegressionMetrics m = RegressionMetrics.of(new float[] {3f, -0.5f, 2f, 7f, 4.25f},
                new float[] {2.5f, 0f, 2f, 8f, 4f});
        assertThat(m.count()).isEqualTo(5);
        assertThat(m.rmse()).isCloseTo(0.55901699437494745, within(1e-12));
        assertThat(m.mae()).isCloseTo(0.45, within(1e-12));
        assertThat(m.r2()).isCloseTo(0.94910423452768733, within(1e-12));
        assertThat(m.toJson().get("rmse").doubleValue()).isEqualTo(m.rmse());
        assertThat(m.toMap()).containsOnlyKeys("count", "rmse", "mae", "r2");
    }

    @Test
    void handDerivedCases() {
        // Errors 1 and -1: MSE 1, MAE 1; targets 0 and 2 have SS_tot 2, SS_res 2, so R² = 0.
        RegressionMetrics m = RegressionMetrics.of(new float[] {0f, 2f}, new float[] {1f, 1f});
        assertThat(m.rmse()).isEqualTo(1.0);
        assertThat(m.mae()).isEqualTo(1.0);
        assertThat(m.r2()).isEqualTo(0.0);
        // Constant targets: 1 if perfect, else 0.
        assertThat(RegressionMetrics.of(new float[] {4f, 4f}, new float[] {4f, 4f}).r2()).isEqualTo(1.0);
        assertThat(RegressionMetrics.of(new float[] {4f, 4f}, new float[] {4f, 5f}).r2()).isEqualTo(0.0);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> RegressionMetrics.of(new float[] {1f}, new float[] {1f, 2f}))
                .hasMessageContaining("predictions: 2 for 1 targets");
        assertThatThrownBy(() -> RegressionMetrics.of(new float[] {1f}, new float[] {Float.POSITIVE_INFINITY}))
                .hasMessage("row 0: target 1.0, prediction Infinity (expected: finite)");
    }
}
