package io.ringfold.onnx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ThresholdTest {

    /**
     * Ringfold compares a float P(class 1) with the double threshold; the graph compares floats. For thresholds
     * a float holds exactly and ones it does not, every float within 64 ulps of the threshold is decided alike.
     */
    @Test
    void floatComparisonDecidesAsRingfoldsDoubleOne() {
        for (double t : new double[] {0.5, 0.3, 0.9, 0.1, 1.0 / 3, 0.7, 1e-3, 0.999999}) {
            float below = OutputGraph.thresholdBelow(t);
            assertThat((double) below).as("threshold %s", t).isLessThanOrEqualTo(t);
            float p = (float) t;
            for (int i = 0; i < 64; i++) {
                p = Math.nextDown(p);
            }
            for (int i = 0; i < 128; i++, p = Math.nextUp(p)) {
                assertThat(p > below).as("p %s, threshold %s", p, t).isEqualTo(p > t);
            }
        }
    }
}
