package io.ringfold.collective.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Shamir's t-of-n secret sharing (Shamir 1979) of 32-byte secrets over the prime field of the Mersenne
 * prime 2^521 - 1, the smallest well-known prime above 2^256 whose primality nobody needs to check:
 * a random polynomial f of degree t - 1 with f(0) = secret, the share of the client with id i being
 * f(i + 1) (ids start at 0; the point 0 is the secret's). Any t shares give the secret back by Lagrange
 * interpolation at 0; fewer reveal nothing about it. Field elements travel as 66 big-endian bytes.
 */
final class Shamir {

    static final BigInteger PRIME = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);
    static final int ELEMENT_BYTES = 66;
    static final int SECRET_BYTES = 32;

    private Shamir() {
    }

    /** The shares of {@code secret} for the clients {@code holders}, in their order, any {@code threshold} of which recover it. */
    static byte[][] split(byte[] secret, int threshold, int[] holders, SecureRandom random) {
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: " + SECRET_BYTES + ")");
        }
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int k = 1; k < threshold; k++) {
            coefficients[k] = uniform(random);
        }
        byte[][] shares = new byte[holders.length][];
        for (int h = 0; h < holders.length; h++) {
            BigInteger x = point(holders[h]);
            // Horner's rule, reduced at each step.
            BigInteger y = coefficients[threshold - 1];
            for (int k = threshold - 2; k >= 0; k--) {
                y = y.multiply(x).add(coefficients[k]).mod(PRIME);
            }
            shares[h] = toBytes(y);
        }
        return shares;
    }

    /** The secret from the shares {@code values[k]} of the clients {@code holders[k]} (at least the threshold of them). */
    static byte[] reconstruct(int[] holders, byte[][] values) {
        return reconstruct(lagrangeAtZero(holders), values, holders);
    }

    /**
     * The Lagrange coefficients at 0 for the points of {@code holders}: the same for every secret shared
     * among the same holders, so a caller reconstructing many secrets may compute them once.
     */
    static BigInteger[] lagrangeAtZero(int[] holders) {
        BigInteger[] out = new BigInteger[holders.length];
        for (int k = 0; k < holders.length; k++) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            BigInteger xk = point(holders[k]);
            for (int j = 0; j < holders.length; j++) {
                if (j != k) {
                    BigInteger xj = point(holders[j]);
                    num = num.multiply(xj).mod(PRIME);
                    den = den.multiply(xj.subtract(xk)).mod(PRIME);
                }
            }
            out[k] = num.multiply(den.modInverse(PRIME)).mod(PRIME);
        }
        return out;
    }

    /** As {@link #reconstruct(int[], byte[][])}, with coefficients from {@link #lagrangeAtZero}. */
    static byte[] reconstruct(BigInteger[] lagrange, byte[][] values, int[] holders) {
        BigInteger secret = BigInteger.ZERO;
        for (int k = 0; k < values.length; k++) {
            secret = secret.add(lagrange[k].multiply(fromBytes(values[k])));
        }
        return toSecret(secret.mod(PRIME), holders);
    }

    private static byte[] toSecret(BigInteger secret, int[] holders) {
        if (secret.bitLength() > SECRET_BYTES * 8) {
            throw new IllegalArgumentException("shares of clients " + Arrays.toString(holders)
                    + ": they interpolate to a value of " + secret.bitLength() + " bits (expected: a secret of at most "
                    + SECRET_BYTES * 8 + "; the shares do not belong to one polynomial of this degree)");
        }
        byte[] big = secret.toByteArray();
        byte[] out = new byte[SECRET_BYTES];
        int copy = Math.min(big.length, SECRET_BYTES);
        System.arraycopy(big, big.length - copy, out, SECRET_BYTES - copy, copy);
        return out;
    }

    private static BigInteger point(int holder) {
        return BigInteger.valueOf(holder + 1L);
    }

    private static BigInteger uniform(SecureRandom random) {
        // 521 random bits are uniform over [0, 2^521); rejecting 2^521 - 1 itself leaves [0, p).
        while (true) {
            BigInteger r = new BigInteger(521, random);
            if (r.compareTo(PRIME) < 0) {
                return r;
            }
        }
    }

    static byte[] toBytes(BigInteger element) {
        byte[] big = element.toByteArray();
        byte[] out = new byte[ELEMENT_BYTES];
        int copy = Math.min(big.length, ELEMENT_BYTES);
        System.arraycopy(big, big.length - copy, out, ELEMENT_BYTES - copy, copy);
        return out;
    }

    static BigInteger fromBytes(byte[] bytes) {
        if (bytes.length != ELEMENT_BYTES) {
            throw new IllegalArgumentException("share: " + bytes.length + " bytes (expected: " + ELEMENT_BYTES + ")");
        }
        BigInteger v = new BigInteger(1, bytes);
        if (v.compareTo(PRIME) >= 0) {
            throw new IllegalArgumentException("share: " + v.bitLength() + "-bit value (expected: below 2^521 - 1)");
        }
        return v;
    }
}
