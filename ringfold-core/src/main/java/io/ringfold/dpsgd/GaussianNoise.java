package io.ringfold.dpsgd;

import io.ringfold.random.SplitMix64;

import java.security.SecureRandom;

/**
 * The noise of a private step, N(0, std²) added to each entry of the summed clipped gradient once per step.
 * Seeded noise is a function of (seed, step, parameter index) alone: entries {@code 2k} and {@code 2k + 1}
 * are the Box-Muller pair of the counter-based draws {@code 2k} and {@code 2k + 1}, so whichever worker adds
 * noise to whichever slice of the parameters, every entry gets the same value, and a rerun the same again.
 * With a secure generator ({@link #secure()}) the draws come from the platform's {@link SecureRandom}
 * instead (for production, where an attacker who learns the seed must not be able to subtract the noise); the
 * run is then not reproducible.
 */
public final class GaussianNoise {

    /** Stream identifier of the noise draws (see {@link SplitMix64#hash}). */
    static final long PURPOSE = 0x4e4f495345L;

    private final SecureRandom secure;
    private byte[] bytes = new byte[0];

    private GaussianNoise(SecureRandom secure) {
        this.secure = secure;
    }

    /** Noise from (seed, step, index): reproducible, and the same on every worker. */
    public static GaussianNoise seeded() {
        return new GaussianNoise(null);
    }

    /** Noise from a {@link SecureRandom} (a DRBG where the platform has one): not reproducible. */
    public static GaussianNoise secure() {
        SecureRandom r;
        try {
            r = SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            r = new SecureRandom();
        }
        return new GaussianNoise(r);
    }

    public boolean isSecure() {
        return secure != null;
    }

    /**
     * Adds {@code std} times standard normal noise to {@code v[from, to)}, entry i's noise being that of
     * parameter index i of step {@code step}. Not thread-safe with the secure generator.
     */
    public void add(float[] v, int from, int to, long seed, long step, double std) {
        if (from >= to || std == 0) {
            return;
        }
        if (secure != null) {
            addSecure(v, from, to, std);
            return;
        }
        long key = SplitMix64.hash(seed, PURPOSE, step);
        int i = from;
        if ((i & 1) == 1) {
            // An odd start: the second of its pair.
            v[i] += (float) (std * pair(key, i - 1, true));
            i++;
        }
        for (; i + 1 < to; i += 2) {
            double r = radius(SplitMix64.hash(key, PURPOSE, i));
            double a = angle(SplitMix64.hash(key, PURPOSE, i + 1));
            v[i] += (float) (std * r * Math.cos(a));
            v[i + 1] += (float) (std * r * Math.sin(a));
        }
        if (i < to) {
            v[i] += (float) (std * pair(key, i, false));
        }
    }

    /** One of the pair that starts at even index {@code k}: the cosine's, or with {@code second} the sine's. */
    private static double pair(long key, int k, boolean second) {
        double r = radius(SplitMix64.hash(key, PURPOSE, k));
        double a = angle(SplitMix64.hash(key, PURPOSE, k + 1));
        return second ? r * Math.sin(a) : r * Math.cos(a);
    }

    /** Box-Muller's radius {@code sqrt(-2 ln u)}, u in (0, 1]. */
    private static double radius(long bits) {
        return Math.sqrt(-2.0 * Math.log(1.0 - SplitMix64.unit(bits)));
    }

    private static double angle(long bits) {
        return 2.0 * Math.PI * SplitMix64.unit(bits);
    }

    private void addSecure(float[] v, int from, int to, double std) {
        int n = to - from;
        int pairs = (n + 1) / 2;
        if (bytes.length < 16 * pairs) {
            bytes = new byte[16 * pairs];
        }
        secure.nextBytes(bytes);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        for (int i = from; i < to; i += 2) {
            double r = radius(b.getLong());
            double a = angle(b.getLong());
            v[i] += (float) (std * r * Math.cos(a));
            if (i + 1 < to) {
                v[i + 1] += (float) (std * r * Math.sin(a));
            }
        }
    }
}
