package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixedPointEncodingTest {

    @Test
    void exponentIsTheExactTrainersForTheBound() {
        // By hand: |x| <= 4 = 2^2 over 10 clients (ceil(log2 10) = 4): min(50, 61 - 4) - 2 = 48.
        assertThat(FixedPointEncoding.forBound(4.0, 10).exponent()).isEqualTo(48);
        // 3000 clients: ceil(log2 3000) = 12, min(50, 49) - (-1) = 50 for a bound of 0.5.
        assertThat(FixedPointEncoding.forBound(0.5, 3000).exponent()).isEqualTo(50);
        assertThat(FixedPointEncoding.forBound(4.0, 10).limit()).isEqualTo(0x1p51);
        assertThat(FixedPointEncoding.forBound(0.5, 3000).limit()).isEqualTo(0x1p50);
    }

    @Test
    void encodeTruncatesTowardZeroAndDecodeScalesBack() {
        FixedPointEncoding e = new FixedPointEncoding(4, 2);

        assertThat(e.encode(new float[] {1.5f, -1.53125f, 0.03f})).containsExactly(24L, -24L, 0L);
        assertThat(e.decode(new long[] {24L, -25L, 1L})).containsExactly(1.5f, -1.5625f, 0.0625f);
    }

    @Test
    void nonFiniteOrTooLargeValuesAreRefusedNamingTheirIndex() {
        FixedPointEncoding e = FixedPointEncoding.forBound(1.0, 4);

        assertThatThrownBy(() -> e.encode(new float[] {0f, Float.NaN}))
                .hasMessage("update[1]: NaN (expected: finite, |value| < 2.0 for 4 clients at exponent 50)");
        assertThatThrownBy(() -> e.encode(new float[] {2f}))
                .hasMessageStartingWith("update[0]: 2.0 (expected: finite, |value| < 2.0");
        assertThat(e.encode(new float[] {1.9999999f})[0]).isLessThan(1L << 51);
    }
}
