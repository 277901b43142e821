package io.ringfold.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SampledGaussianRdpTest {

    /**
     * RDP of one step from its definition, log E_{z ~ N(0, σ²)}[((1-q) + q exp((2z-1)/2σ²))^α] / (α-1),
     * integrated by mpmath at 40 digits in bench/privacy/rdp_mpmath.py, which printed these rows: no series
     * involved. Integer and fractional orders, small and large q and σ, and the fractional series' hardest
     * corner (α near 1, σ 0.5).
     */
    @ParameterizedTest(name = "q={0} sigma={1} alpha={2}")
    @CsvSource(textBlock = """
            0.2,      0.5, 1.3,  0.2962621437609553
            0.2,      0.5, 1.1,  0.20258092767130165
            0.02048,  0.5, 1.7,  0.013034788415864838
            0.5,      0.5, 1.2,  0.9402060755456287
            0.004267, 1.1, 8.1,  9.967571703673673e-05
            0.2,      5,   10.1, 0.008706068680948172
            0.000256, 2.0, 63,   5.892034692628219e-07
            0.5,      3.0, 4.4,  0.06834038531245121
            0.5,      0.5, 63,   125.29567302620522
            """)
    void matchesTheDefinitionByQuadrature(double q, double sigma, double alpha, double expected) {
        assertThat(SampledGaussianRdp.rdp(q, sigma, alpha)).isCloseTo(expected, within(1e-9 * expected));
    }

    @Test
    void logSpaceArithmetic() {
        assertThat(SampledGaussianRdp.logAdd(Math.log(2), Math.log(3))).isCloseTo(Math.log(5), within(1e-15));
        assertThat(SampledGaussianRdp.logAdd(Double.NEGATIVE_INFINITY, 1.5)).isEqualTo(1.5);
        assertThat(SampledGaussianRdp.logSub(Math.log(5), Math.log(3))).isCloseTo(Math.log(2), within(1e-15));
        assertThat(SampledGaussianRdp.logSub(1.5, Double.NEGATIVE_INFINITY)).isEqualTo(1.5);
        assertThat(SampledGaussianRdp.logSub(2, 2)).isEqualTo(Double.NEGATIVE_INFINITY);
        // A negative difference is rounding's doing; NaN makes the caller drop the order.
        assertThat(SampledGaussianRdp.logSub(1, 2)).isNaN();
    }
}
