package io.ringfold.collective;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedPointScaleTest {

    @Test
    void headroomIsTheCeilingOfLog2() {
        assertThat(FixedPointScale.headroom(1)).isZero();
        assertThat(FixedPointScale.headroom(2)).isEqualTo(1);
        assertThat(FixedPointScale.headroom(3)).isEqualTo(2);
        assertThat(FixedPointScale.headroom(4)).isEqualTo(2);
        assertThat(FixedPointScale.headroom(1 << 20)).isEqualTo(20);
        assertThat(FixedPointScale.headroom((1 << 20) + 1)).isEqualTo(21);
        assertThatThrownBy(() -> FixedPointScale.headroom(0)).hasMessageContaining("summands: 0");
    }

    @Test
    void everyScaledValueAndEverySumStayWithinTheirBounds() {
        SplittableRandom r = new SplittableRandom(20261208L);
        for (int i = 0; i < 100_000; i++) {
            double maxAbs = Math.scalb(1 + r.nextDouble(), r.nextInt(-60, 60));
            int summands = 1 + r.nextInt(1 << 20);
            int e = FixedPointScale.exponent(Math.getExponent(maxAbs), summands);
            double scaled = Math.scalb(maxAbs, e);
            assertThat(scaled).as("%s over %d", maxAbs, summands).isLessThan(Math.scalb(1.0, FixedPointScale.MAX_VALUE_BITS));
            assertThat(scaled * summands).as("%s over %d", maxAbs, summands).isLessThan(Math.scalb(1.0, 62));
            // And no more room than one bit is left: the largest value keeps 50 bits or more when few are summed.
            if (summands <= 1 << 11) {
                assertThat(scaled).isGreaterThanOrEqualTo(Math.scalb(1.0, FixedPointScale.MAX_VALUE_BITS - 1));
            }
        }
    }
}
