package io.ringfold.privacy;

/**
 * The Rényi divergence of one step of the Poisson-subsampled Gaussian mechanism (each example included with
 * probability q, Gaussian noise of standard deviation σ times the sensitivity added to the sum), from Mironov,
 * Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019), §3.3: the exact
 * binomial sum for integer orders and the two-sided erfc series for fractional ones, both in log space, as
 * TensorFlow Privacy's and Opacus' {@code rdp} analyses compute them. Where the fractional series fails
 * numerically (no convergence, or a partial sum that rounding drives negative) the order's RDP is +∞: the order
 * drops out of the minimum, which can only loosen ε, as Google's dp_accounting does.
 */
final class SampledGaussianRdp {

    /** Fractional-order series stop once both terms fall below e^-30, where the references stop. */
    private static final double LOG_TERM_CUTOFF = -30;
    private static final int MAX_TERMS = 1_000_000;
    private static final double SQRT2 = Math.sqrt(2);
    private static final double LOG_HALF = Math.log(0.5);

    private SampledGaussianRdp() {
    }

    /** RDP of one step at order {@code alpha > 1}; q in (0, 1], σ > 0; +∞ where the series fails. */
    static double rdp(double q, double sigma, double alpha) {
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) ? logAIntegerOrder(q, sigma, (int) alpha)
                : logAFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log A_α = log Σ_i C(α, i) q^i (1-q)^(α-i) exp((i² - i) / 2σ²), every term positive. */
    private static double logAIntegerOrder(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0; // log C(alpha, 0)
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log(alpha - i + 1) - Math.log(i);
            }
            double term = logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoVar;
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /**
     * log A_α for fractional α: the integral split at z0 = σ² log(1/q - 1) + 1/2 into two series over the
     * generalised binomial coefficients, whose signs alternate once i passes α, hence the signed sums.
     */
    private static double logAFractionalOrder(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double rootTwoSigma = SQRT2 * sigma;
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double coef = 1; // C(alpha, 0), updated by the recurrence C(α, i) = C(α, i-1) (α - i + 1) / i
        for (int i = 0; i < MAX_TERMS; i++) {
            if (i > 0) {
                coef *= (alpha - i + 1) / i;
            }
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * logQ + j * log1mQ;
            double logT1 = logCoef + j * logQ + i * log1mQ;
            double logE0 = LOG_HALF + LogErfc.of((i - z0) / rootTwoSigma);
            double logE1 = LOG_HALF + LogErfc.of((z0 - j) / rootTwoSigma);
            double logS0 = logT0 + ((double) i * i - i) / twoVar + logE0;
            double logS1 = logT1 + (j * j - j) / twoVar + logE1;
            if (coef > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
                if (Double.isNaN(logA0) || Double.isNaN(logA1)) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            if (Math.max(logS0, logS1) < LOG_TERM_CUTOFF) {
                return logAdd(logA0, logA1);
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    static double logAdd(double logX, double logY) {
        double a = Math.min(logX, logY);
        double b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /**
     * log(e^x - e^y), NaN for x < y: the series' partial sums are positive in exact arithmetic, so x < y means
     * rounding has eaten them.
     */
    static double logSub(double logX, double logY) {
        if (logX < logY) {
            return Double.NaN;
        }
        if (logY == Double.NEGATIVE_INFINITY) {
            return logX;
        }
        if (logX == logY) {
            return Double.NEGATIVE_INFINITY;
        }
        return logX + Math.log(-Math.expm1(logY - logX));
    }
}
