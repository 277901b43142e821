package io.ringfold.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    @Test
    void stepDecaysEveryNEpochs() {
        LearningRateSchedule s = new LearningRateSchedule.Step(2, 0.5f);
        assertThat(s.rate(0.8f, 0, 0, 100)).isEqualTo(0.8f);
        assertThat(s.rate(0.8f, 1, 10, 100)).isEqualTo(0.8f);
        assertThat(s.rate(0.8f, 2, 20, 100)).isEqualTo(0.4f);
        assertThat(s.rate(0.8f, 5, 50, 100)).isEqualTo(0.2f);
    }

    @Test
    void cosineGoesFromBaseToMinimum() {
        LearningRateSchedule s = new LearningRateSchedule.Cosine(0.1f);
        assertThat(s.rate(1f, 0, 0, 11)).isEqualTo(1f);
        // Half way: min + (base - min) / 2 = 0.1 + 0.45.
        assertThat((double) s.rate(1f, 0, 5, 11)).isCloseTo(0.55, within(1e-6));
        assertThat((double) s.rate(1f, 0, 10, 11)).isCloseTo(0.1, within(1e-6));
    }

    @Test
    void invalidSettingsAreNamed() {
        assertThatThrownBy(() -> new LearningRateSchedule.Step(0, 0.5f))
                .hasMessage("lrStepEpochs: 0 (expected: > 0)");
        assertThatThrownBy(() -> new LearningRateSchedule.Cosine(1f))
                .hasMessage("lrMinFraction: 1.0 (expected: 0 <= f < 1)");
    }
}
