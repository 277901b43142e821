package io.ringfold.serving.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Quantiles by linear interpolation inside the bucket holding the rank, as Prometheus's
 * {@code histogram_quantile}. Observations 0.5, 1.5, 1.5, 3 and 10 in buckets with upper bounds 1, 2, 4:
 * counts (1, 2, 1), one above 4, five in all. Expected values are worked out by hand in each assertion.
 */
class HistogramSnapshotTest {

    private static HistogramSnapshot fiveObservations() {
        Histogram h = new Histogram(new double[] {1, 2, 4});
        for (double v : new double[] {0.5, 1.5, 1.5, 3, 10}) {
            h.observe(v);
        }
        return h.snapshot();
    }

    @Test
    void snapshotCountsEachBucketOnce() {
        HistogramSnapshot s = fiveObservations();
        assertThat(s.counts()).containsExactly(1, 2, 1);
        assertThat(s.overflow()).isEqualTo(1);
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.sum()).isEqualTo(16.5);
        assertThat(s.mean()).isEqualTo(3.3, within(1e-12));
    }

    @Test
    void quantilesInterpolateInsideTheBucket() {
        HistogramSnapshot s = fiveObservations();
        // q 0.2: rank 1, the first bucket (0, 1] holds 1 -> 0 + 1 * (1 - 0) / 1 = 1.
        assertThat(s.quantile(0.2)).isEqualTo(1.0, within(1e-12));
        // q 0.5: rank 2.5, 1 below, the bucket (1, 2] holds 2 -> 1 + 1 * (2.5 - 1) / 2 = 1.75.
        assertThat(s.quantile(0.5)).isEqualTo(1.75, within(1e-12));
        // q 0.7: rank 3.5, 3 below, the bucket (2, 4] holds 1 -> 2 + 2 * (3.5 - 3) / 1 = 3.
        assertThat(s.quantile(0.7)).isEqualTo(3.0, within(1e-12));
        // q 0.99: rank 4.95, past the last bound's 4 -> the last bound, 4.
        assertThat(s.quantile(0.99)).isEqualTo(4.0);
    }

    @Test
    void emptyHasNoQuantileAndNoMean() {
        HistogramSnapshot s = HistogramSnapshot.empty(new double[] {1, 2});
        assertThat(s.quantile(0.5)).isNaN();
        assertThat(s.mean()).isNaN();
    }

    @Test
    void plusAddsBucketsSoQuantilesOfTwoCopiesAreUnchanged() {
        HistogramSnapshot s = fiveObservations();
        HistogramSnapshot twice = s.plus(s);
        assertThat(twice.counts()).containsExactly(2, 4, 2);
        assertThat(twice.overflow()).isEqualTo(2);
        assertThat(twice.count()).isEqualTo(10);
        // rank 5, 2 below, (1, 2] holds 4 -> 1 + (5 - 2) / 4 = 1.75, as for one copy.
        assertThat(twice.quantile(0.5)).isEqualTo(1.75, within(1e-12));
    }

    @Test
    void refusesMismatchesAndBadQuantiles() {
        HistogramSnapshot s = fiveObservations();
        assertThatThrownBy(() -> s.plus(HistogramSnapshot.empty(new double[] {1, 2})))
                .hasMessageContaining("bounds: [1.0, 2.0] (expected: [1.0, 2.0, 4.0])");
        assertThatThrownBy(() -> s.quantile(1.5)).hasMessage("q: 1.5 (expected: 0 <= q <= 1)");
        assertThatThrownBy(() -> s.quantile(Double.NaN)).hasMessage("q: NaN (expected: 0 <= q <= 1)");
    }
}
