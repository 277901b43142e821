package io.ringfold.dpsgd;

import io.ringfold.random.SplitMix64;

import java.security.SecureRandom;

/**
 * The noise of a private step, N(0, std²) added to each entry of the summed clipped gradient once per step.
 * Seeded noise is a function of (seed, step, parameter index) alone: entries {@code 2k} and {@code 2k + 1}
 * are the pair that Marsaglia's polar method makes from counter-based draws of pair k, so whichever worker adds
 * noise to whichever slice of the parameters, every entry gets the same value, and a rerun the same again.
 * With a secure generator ({@link #secure()}) the draws come from the platform's {@link SecureRandom}
 * instead (for production, where an attacker who learns the seed must not be able to subtract the noise); the
 * run is then not reproducible. Not thread-safe: one per worker.
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
        long[] streams = attemptStreams(key);
        int i = from;
        if ((i & 1) == 1) {
            // An odd start: the second of its pair.
            pair(streams, key, (i - 1) >> 1);
            v[i] += (float) (std * second);
            i++;
        }
        for (; i + 1 < to; i += 2) {
            pair(streams, key, i >> 1);
            v[i] += (float) (std * first);
            v[i + 1] += (float) (std * second);
        }
        if (i < to) {
            pair(streams, key, i >> 1);
            v[i] += (float) (std * first);
        }
    }

    /** The pair of the last {@link #pair} call. */
    private double first;
    private double second;

    /** Streams of the first attempts of the polar method (one attempt in 4.7 is rejected, one in 10^6 needs 9). */
    private static long[] attemptStreams(long key) {
        long[] s = new long[8];
        for (int a = 0; a < s.length; a++) {
            s[a] = SplitMix64.hash(key, PURPOSE, a);
        }
        return s;
    }

    /**
     * The normal pair of pair index k by Marsaglia's polar method (no trigonometry): attempt a takes draws 2k and
     * 2k + 1 of stream a, a point (u, v) uniform in the square [-1, 1)², until it falls inside the unit circle.
     */
    private void pair(long[] streams, long key, long k) {
        for (int a = 0; ; a++) {
            long stream = a < streams.length ? streams[a] : SplitMix64.hash(key, PURPOSE, a);
            double u = 2 * SplitMix64.unit(SplitMix64.draw(stream, 2 * k)) - 1;
            double w = 2 * SplitMix64.unit(SplitMix64.draw(stream, 2 * k + 1)) - 1;
            double s = u * u + w * w;
            if (s < 1 && s > 0) {
                double f = Math.sqrt(-2 * Math.log(s) / s);
                first = u * f;
                second = w * f;
                return;
            }
        }
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
