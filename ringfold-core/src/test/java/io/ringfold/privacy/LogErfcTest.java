package io.ringfold.privacy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogErfcTest {

    /**
     * Expected values from SciPy 1.x, the function Opacus uses:
     * {@code python3 -c "import math; from scipy import special; print(math.log(2) + special.log_ndtr(-x * 2**0.5))"}.
     * The points straddle the series/continued-fraction split at x² = 1.5 and reach far past erfc's underflow.
     */
    @ParameterizedTest
    @CsvSource(textBlock = """
            -6.0,     0.6931471805599453
            -1.0,     0.6112323176780705
            -0.1,     0.10657640058652262
            0.0,      0.0
            0.3,      -0.39843005144008525
            1.2,      -2.4114403551669303
            1.25,     -2.562653661922126
            2.0,      -5.36494126461664
            5.0,      -27.200889545537446
            27.5,     -760.1372110153485
            100.0,    -10005.177585122668
            10000.0,  -100000009.78270535
            """)
    void matchesScipyToFourteenDigits(double x, double expected) {
        assertThat(LogErfc.of(x)).isCloseTo(expected, within(1e-14 * Math.max(1, Math.abs(expected))));
    }
}
