package io.ringfold.privacy;

/**
 * Privacy accountant for DP-SGD: the Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar and
 * Zhang, 2019), composed over steps by adding RDP at each order, and converted to (ε, δ) with the conversion of
 * Balle et al., "Hypothesis Testing Interpretations and Renyi Differential Privacy" (2020), Theorem 21:
 * ε = rdp(α) + log((α-1)/α) - (log δ + log α)/(α-1), minimised over {@link #orders()}. This is the analysis of
 * Opacus' {@code RDPAccountant}, so given the same orders the two agree to rounding. It assumes each example
 * enters each step's batch independently with probability q (Poisson sampling); shuffled fixed-size batches are
 * a different mechanism that this bound does not cover.
 *
 * <p>The static methods answer one-off questions (ε of a planned run, the σ a target ε needs). An instance
 * follows one run: {@link #step(long)} as steps are taken, {@link #spent(double)} for ε at each epoch. Instances
 * are not thread-safe.
 */
public final class RdpAccountant {

    /**
     * Google dp_accounting's default orders (DEFAULT_RDP_ORDERS): 1.1, 1.2, ..., 10.9, then 11, 12, ..., 63, then
     * 128, 256, 512, 1024. Opacus' default stops at 63, which leaves small ε (below about 0.13) loose.
     */
    private static final double[] ORDERS = defaultOrders();
    /** Upper bound of the σ search; beyond it ε barely moves and the target is treated as unreachable. */
    private static final double MAX_NOISE_MULTIPLIER = 1e6;
    private static final double NOISE_TOLERANCE = 0.01;

    private final double samplingRate;
    private final double noiseMultiplier;
    private final double[] rdpPerStep;
    private long steps;

    /** An accountant at step 0 for a run sampling with rate {@code samplingRate} and noise multiplier σ. */
    public RdpAccountant(double samplingRate, double noiseMultiplier) {
        checkSamplingRate(samplingRate);
        checkNoiseMultiplier(noiseMultiplier);
        this.samplingRate = samplingRate;
        this.noiseMultiplier = noiseMultiplier;
        this.rdpPerStep = rdpPerStep(samplingRate, noiseMultiplier);
    }

    /** Records {@code n ≥ 0} more steps of the mechanism. */
    public void step(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
        }
        steps = Math.addExact(steps, n);
    }

    public long steps() {
        return steps;
    }

    public double samplingRate() {
        return samplingRate;
    }

    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    /** ε at {@code delta} for the steps recorded so far (0 before the first step). */
    public double epsilon(double delta) {
        return spent(delta).epsilon();
    }

    /** ε at {@code delta}, the best order and the steps recorded so far. */
    public PrivacySpent spent(double delta) {
        checkDelta(delta);
        return convert(rdpPerStep, steps, delta);
    }

    /** ε after {@code steps} steps at sampling rate q and noise multiplier σ, at {@code delta}. */
    public static double epsilon(double samplingRate, double noiseMultiplier, long steps, double delta) {
        return spent(samplingRate, noiseMultiplier, steps, delta).epsilon();
    }

    /** As {@link #epsilon(double, double, long, double)}, with the order that gave it. */
    public static PrivacySpent spent(double samplingRate, double noiseMultiplier, long steps, double delta) {
        checkSamplingRate(samplingRate);
        checkNoiseMultiplier(noiseMultiplier);
        checkSteps(steps);
        checkDelta(delta);
        return convert(rdpPerStep(samplingRate, noiseMultiplier), steps, delta);
    }

    /**
     * The smallest noise multiplier σ, to within 0.01, whose ε after {@code steps} steps is at most
     * {@code targetEpsilon}: bisection on σ (ε falls as σ grows). The result itself always meets the target.
     *
     * @throws IllegalArgumentException when no σ up to 10⁶ reaches the target (at or below
     *         {@link #minimumEpsilon(double)}, the conversion's own floor, no amount of noise does)
     */
    public static double noiseMultiplier(double targetEpsilon, double samplingRate, long steps, double delta) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new IllegalArgumentException("targetEpsilon: " + targetEpsilon + " (expected: > 0 and finite)");
        }
        checkSamplingRate(samplingRate);
        checkSteps(steps);
        checkDelta(delta);
        if (steps == 0) {
            throw new IllegalArgumentException("steps: 0 (expected: > 0 to need any noise)");
        }
        double floor = minimumEpsilon(delta);
        if (targetEpsilon <= floor) {
            throw new IllegalArgumentException("targetEpsilon: " + targetEpsilon + " (expected: > " + floor
                    + ", the least ε any noise reaches at delta " + delta + ")");
        }
        double low = 0;
        double high = 10;
        while (epsilon(samplingRate, high, steps, delta) > targetEpsilon) {
            low = high;
            high *= 2;
            if (high > MAX_NOISE_MULTIPLIER) {
                throw new IllegalArgumentException("targetEpsilon: " + targetEpsilon + " (expected: reachable with"
                        + " a noise multiplier <= " + MAX_NOISE_MULTIPLIER + " at sampling rate " + samplingRate
                        + ", " + steps + " steps, delta " + delta + ")");
            }
        }
        while (high - low > NOISE_TOLERANCE) {
            double mid = 0.5 * (low + high);
            if (epsilon(samplingRate, mid, steps, delta) > targetEpsilon) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }

    /**
     * The ε that the conversion gives at zero RDP (infinite noise) over {@link #orders()}: no noise multiplier
     * reaches a target at or below it (0.1029 at δ = 1e-5, 0.1400 at δ = 1e-6).
     */
    public static double minimumEpsilon(double delta) {
        checkDelta(delta);
        return convert(new double[ORDERS.length], 1, delta).epsilon();
    }

    /** Steps in one epoch of {@code samples} examples at expected batch size {@code batchSize}: ⌈N / B⌉. */
    public static long stepsPerEpoch(long samples, long batchSize) {
        if (samples <= 0) {
            throw new IllegalArgumentException("samples: " + samples + " (expected: > 0)");
        }
        if (batchSize <= 0 || batchSize > samples) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: in [1, samples = "
                    + samples + "])");
        }
        return (samples + batchSize - 1) / batchSize;
    }

    /** The Rényi orders ε is minimised over (a copy). */
    public static double[] orders() {
        return ORDERS.clone();
    }

    private static double[] defaultOrders() {
        double[] orders = new double[99 + 53 + 4];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0;
        }
        for (int a = 11; a < 64; a++) {
            orders[k++] = a;
        }
        for (int a = 128; a <= 1024; a *= 2) {
            orders[k++] = a;
        }
        return orders;
    }

    private static double[] rdpPerStep(double q, double sigma) {
        double[] rdp = new double[ORDERS.length];
        for (int k = 0; k < ORDERS.length; k++) {
            rdp[k] = SampledGaussianRdp.rdp(q, sigma, ORDERS[k]);
        }
        return rdp;
    }

    private static PrivacySpent convert(double[] rdpPerStep, long steps, double delta) {
        if (steps == 0) {
            return new PrivacySpent(0, delta, Double.NaN, 0);
        }
        double logDelta = Math.log(delta);
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int k = 0; k < ORDERS.length; k++) {
            double a = ORDERS[k];
            double eps = rdpPerStep[k] * steps + Math.log((a - 1) / a) - (logDelta + Math.log(a)) / (a - 1);
            // Strictly smaller keeps the first of equal orders, as Opacus' argmin does; NaN never compares.
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new PrivacySpent(Math.max(0, best), delta, bestOrder, steps);
    }

    private static void checkSamplingRate(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("samplingRate: " + q + " (expected: in (0, 1])");
        }
    }

    private static void checkNoiseMultiplier(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noiseMultiplier: " + sigma + " (expected: > 0 and finite)");
        }
    }

    private static void checkSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps: " + steps + " (expected: >= 0)");
        }
    }

    private static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta: " + delta + " (expected: in (0, 1))");
        }
    }
}
