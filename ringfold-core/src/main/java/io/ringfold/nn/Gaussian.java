package io.ringfold.nn;

/**
 * The standard normal distribution's density and cumulative distribution, in double, for GELU
 * ({@code x * Phi(x)}). Java has no error function; Phi is computed from erfc by its Taylor series near 0 and
 * its continued fraction in the tails, both to about 1e-15 relative, far below float32's resolution.
 */
final class Gaussian {

    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private Gaussian() {
    }

    static double pdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** P(Z <= x) = erfc(-x / sqrt 2) / 2. */
    static double cdf(double x) {
        return 0.5 * erfc(-x / SQRT2);
    }

    static double erfc(double z) {
        if (z < 0) {
            return 2.0 - erfc(-z);
        }
        if (z < 2.5) {
            return 1.0 - erfSeries(z);
        }
        return erfcContinuedFraction(z);
    }

    /** erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1)); terms fall fast for z < 2.5. */
    private static double erfSeries(double z) {
        double z2 = z * z;
        double term = z;
        double sum = z;
        for (int n = 1; n < 100; n++) {
            term *= -z2 / n;
            double t = term / (2 * n + 1);
            sum += t;
            if (Math.abs(t) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return 2.0 / Math.sqrt(Math.PI) * sum;
    }

    /**
     * erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + 1/2 /(z + 1/(z + 3/2 /(z + 2/(z + ...))))), evaluated by the
     * modified Lentz method; converges in a few dozen terms for z >= 2.5.
     */
    private static double erfcContinuedFraction(double z) {
        double tiny = 1e-300;
        double f = z;
        double c = z;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n * 0.5;
            d = z + a * d;
            d = d == 0 ? tiny : d;
            c = z + a / c;
            c = c == 0 ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
}
