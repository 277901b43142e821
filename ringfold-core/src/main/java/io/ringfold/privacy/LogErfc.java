package io.ringfold.privacy;

/**
 * The natural logarithm of the complementary error function, accurate in relative terms far into the tail
 * (where {@code erfc} itself underflows), which the fractional-order RDP sums need. Computed as the regularised
 * upper incomplete gamma function {@code erfc(x) = Q(1/2, x²)}: its power series below {@code x² = 1.5} and its
 * continued fraction (modified Lentz) above, the split of Press et al., Numerical Recipes, §6.2.
 */
final class LogErfc {

    private static final double EPS = 1e-16;
    private static final double TINY = 1e-300;
    private static final int MAX_TERMS = 10_000;
    /** log Γ(1/2) = log √π. */
    private static final double LOG_GAMMA_HALF = 0.5 * Math.log(Math.PI);

    private LogErfc() {
    }

    /** {@code log(erfc(x))}; {@code -Infinity} only for {@code x = +Infinity}. */
    static double of(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            // erfc(x) = 2 - erfc(-x) lies in (1, 2]: no loss of relative accuracy in linear space.
            return Math.log(2 - Math.exp(of(-x)));
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double s = x * x;
        if (s < 1.5) {
            return Math.log1p(-lowerSeries(s));
        }
        return -s + Math.log(x) - LOG_GAMMA_HALF + Math.log(upperFraction(s));
    }

    /** P(1/2, s) by its series; erfc ≥ 0.08 here, so 1 - P loses no accuracy worth keeping. */
    private static double lowerSeries(double s) {
        if (s == 0) {
            return 0;
        }
        double ap = 0.5;
        double term = 1 / ap;
        double sum = term;
        for (int n = 0; n < MAX_TERMS; n++) {
            ap += 1;
            term *= s / ap;
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * EPS) {
                return sum * Math.exp(-s + 0.5 * Math.log(s) - LOG_GAMMA_HALF);
            }
        }
        throw new ArithmeticException("erfc series: no convergence at x² = " + s);
    }

    /** The continued fraction h with Q(1/2, s) = exp(-s) s^(1/2) h / Γ(1/2). */
    private static double upperFraction(double s) {
        double b = s + 0.5;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_TERMS; i++) {
            double an = -i * (i - 0.5);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) {
                return h;
            }
        }
        throw new ArithmeticException("erfc continued fraction: no convergence at x² = " + s);
    }
}
