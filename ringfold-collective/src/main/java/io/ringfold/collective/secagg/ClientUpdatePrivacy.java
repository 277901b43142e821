package io.ringfold.collective.secagg;

import java.util.Random;

/**
 * Client-level differential privacy for a federated round (McMahan et al., "Learning Differentially Private
 * Recurrent Language Models", ICLR 2018): each client's update is clipped to L2 norm C, so that one client
 * changes the sum by at most C, and Gaussian noise is added. Under secure aggregation nobody sees a single
 * update, so the noise can be split among the clients: if each of n clients adds noise of standard deviation
 * {@code z * C / sqrt(n)}, the sum carries noise of standard deviation {@code z * C}, the Gaussian mechanism
 * with noise multiplier z that a Rényi accountant (io.ringfold.privacy.RdpAccountant) turns into (ε, δ),
 * provided at least n clients stay (fewer stay: less noise; {@link #noiseStddev} takes the count to plan for).
 * Without secure aggregation the coordinator adds all of it to the sum instead.
 *
 * <p>The noise comes from the {@link Random} given: a {@link java.security.SecureRandom} in production (noise
 * from a known seed can be subtracted by whoever knows the seed); a seeded {@code Random} in tests, so a
 * run can be replayed. Noise is added in floating point before {@link FixedPointEncoding#encode}; the
 * truncation that follows changes each value by less than 2^-exponent, far below the noise.
 */
public final class ClientUpdatePrivacy {

    private ClientUpdatePrivacy() {
    }

    /**
     * Scales {@code update} in place so that its L2 norm is at most {@code maxNorm} (unchanged if already
     * within), and returns its norm before clipping. The norm is accumulated in double.
     */
    public static double clip(float[] update, double maxNorm) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm: " + maxNorm + " (expected: finite and > 0)");
        }
        double squares = 0;
        for (float v : update) {
            squares += (double) v * v;
        }
        double norm = Math.sqrt(squares);
        if (!Double.isFinite(norm)) {
            throw new IllegalArgumentException("update: L2 norm " + norm + " (expected: finite values)");
        }
        if (norm > maxNorm) {
            double scale = maxNorm / norm;
            for (int i = 0; i < update.length; i++) {
                update[i] = (float) (update[i] * scale);
            }
        }
        return norm;
    }

    /**
     * The standard deviation each of {@code clients} clients adds so that their sum carries noise of
     * standard deviation {@code noiseMultiplier * maxNorm}: {@code noiseMultiplier * maxNorm / sqrt(clients)}.
     */
    public static double noiseStddev(double noiseMultiplier, double maxNorm, int clients) {
        if (!(noiseMultiplier >= 0) || !Double.isFinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noiseMultiplier: " + noiseMultiplier + " (expected: finite and >= 0)");
        }
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm: " + maxNorm + " (expected: finite and > 0)");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        return noiseMultiplier * maxNorm / Math.sqrt(clients);
    }

    /** Adds independent Gaussian noise of standard deviation {@code stddev} to every element of {@code update}. */
    public static void addGaussianNoise(float[] update, double stddev, Random random) {
        if (!(stddev >= 0) || !Double.isFinite(stddev)) {
            throw new IllegalArgumentException("stddev: " + stddev + " (expected: finite and >= 0)");
        }
        for (int i = 0; i < update.length; i++) {
            update[i] = (float) (update[i] + stddev * random.nextGaussian());
        }
    }
}
