package io.ringfold.federated;

import io.ringfold.data.Preprocessor;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.math.BigInteger;
import java.util.List;

/**
 * The per-feature sum and sum of squares of float32 values, and the row count, exactly, as int64 limbs that add
 * like integers: the statistics a federated standardisation needs ({@link StatisticsRound}). A float32 is
 * {@code m * 2^k} with {@code |m| < 2^24} and {@code -149 <= k <= 104}, its square {@code m^2 * 2^2k}, so every
 * value and every square is a whole number of units of {@code 2^-149} (of {@code 2^-298} for squares); the sums are
 * kept in those units in base 2^32, {@value #SUM_LIMBS} limbs for a sum and {@value #SQUARE_LIMBS} for a sum of
 * squares (room for 2^63 rows of the largest float). No bound on the values has to be known beforehand, which
 * would take a round of its own and reveal each client's range.
 *
 * <p>A client's vector is normalised (every limb but a sum's top one in {@code [0, 2^32)}), so the sum over up to
 * 2^31 clients cannot overflow int64, and that sum is what secure aggregation computes modulo 2^64: the totals are
 * the same bits with and without it, and the same whichever way the rows are split among clients.
 *
 * <p>Layout, for {@code d} features: feature {@code c}'s sum limbs at {@code c * PER_FEATURE}, its square limbs
 * after them, least significant first; the row count last.
 */
final class ExactMoments {

    static final int SUM_LIMBS = 11;
    static final int SQUARE_LIMBS = 20;
    static final int PER_FEATURE = SUM_LIMBS + SQUARE_LIMBS;
    /** The units: a sum counts 2^-149, a sum of squares 2^-298. */
    static final int SUM_EXPONENT = -149;
    static final int SQUARE_EXPONENT = -298;

    private static final int LIMB_BITS = 32;
    private static final long LOW = 0xFFFF_FFFFL;
    /** Rows between normalisations: each row adds below 2^34 to a limb, so 2^24 rows stay far below 2^63. */
    private static final int NORMALISE_EVERY = 1 << 24;

    private ExactMoments() {
    }

    /** The vector's length for {@code features} features. */
    static int length(int features) {
        return features * PER_FEATURE + 1;
    }

    /**
     * The statistics of {@code x}'s rows (implicit zeros of a sparse matrix included), normalised.
     *
     * @throws IllegalArgumentException naming the row and column of a non-finite value
     */
    static long[] of(Matrix x) {
        int d = x.cols();
        long[] v = new long[length(d)];
        int n = x.rows();
        if (x instanceof FloatMatrix dense) {
            float[] a = dense.data();
            for (int r = 0; r < n; r++) {
                int base = r * d;
                for (int c = 0; c < d; c++) {
                    add(v, c, a[base + c], r);
                }
                if ((r + 1) % NORMALISE_EVERY == 0) {
                    normalise(v, d);
                }
            }
        } else {
            CsrMatrix s = (CsrMatrix) x;
            for (int r = 0; r < n; r++) {
                for (int p = s.rowStart(r), end = s.rowStart(r + 1); p < end; p++) {
                    add(v, s.columnAt(p), s.valueAt(p), r);
                }
                if ((r + 1) % NORMALISE_EVERY == 0) {
                    normalise(v, d);
                }
            }
        }
        normalise(v, d);
        v[v.length - 1] = n;
        return v;
    }

    /** Adds {@code x} and {@code x^2} to column {@code c}'s limbs, unnormalised (each limb gains less than 2^34). */
    private static void add(long[] v, int c, float x, int row) {
        int bits = Float.floatToRawIntBits(x);
        int exp = (bits >>> 23) & 0xFF;
        if (exp == 0xFF) {
            throw nonFinite(x, row, c);
        }
        long m = bits & 0x7FFFFF;
        if (m == 0 && exp == 0) {
            return; // a zero adds nothing
        }
        // x = m * 2^(pos - 149): a subnormal has pos 0, a normal float its biased exponent minus 1.
        int pos = 0;
        if (exp != 0) {
            m |= 0x800000;
            pos = exp - 1;
        }
        int base = c * PER_FEATURE;
        long shifted = m << (pos & 31); // below 2^55
        int j = base + (pos >>> 5);
        if (bits < 0) {
            v[j] -= shifted & LOW;
            v[j + 1] -= shifted >>> LIMB_BITS;
        } else {
            v[j] += shifted & LOW;
            v[j + 1] += shifted >>> LIMB_BITS;
        }
        // x^2 = m^2 * 2^(2 pos - 298); m^2 below 2^48 is split in two so that no shifted part passes 2^63.
        long square = m * m;
        int sq = 2 * pos;
        int s = sq & 31;
        int k = base + SUM_LIMBS + (sq >>> 5);
        long lo = (square & LOW) << s;
        long hi = (square >>> LIMB_BITS) << s;
        v[k] += lo & LOW;
        v[k + 1] += (lo >>> LIMB_BITS) + (hi & LOW);
        v[k + 2] += hi >>> LIMB_BITS;
    }

    private static IllegalArgumentException nonFinite(float x, int row, int c) {
        return new IllegalArgumentException("value " + x + " at row " + row + ", column " + c
                + " (expected: finite values; a statistic of it would be meaningless)");
    }

    /** Carries every limb into the next, leaving all but each block's top limb in {@code [0, 2^32)}. */
    private static void normalise(long[] v, int features) {
        for (int c = 0; c < features; c++) {
            int base = c * PER_FEATURE;
            carry(v, base, SUM_LIMBS);
            carry(v, base + SUM_LIMBS, SQUARE_LIMBS);
        }
    }

    private static void carry(long[] v, int from, int limbs) {
        for (int i = from, top = from + limbs - 1; i < top; i++) {
            long c = v[i] >> LIMB_BITS; // floor division: the limb left is in [0, 2^32)
            v[i] -= c << LIMB_BITS;
            v[i + 1] += c;
        }
    }

    /**
     * Why {@code v} is not one client's normalised statistics of {@code features} features over {@code rows} rows
     * (the rows it declared), or null when it is.
     */
    static String refusal(long[] v, int features, long rows) {
        if (v.length != length(features)) {
            return "statistics of " + v.length + " values (expected: " + length(features) + ", " + PER_FEATURE
                    + " limbs for each of " + features + " features and the row count)";
        }
        if (v[v.length - 1] != rows) {
            return "statistics of " + v[v.length - 1] + " rows (expected: " + rows + ", the rows it declared)";
        }
        for (int c = 0; c < features; c++) {
            int base = c * PER_FEATURE;
            for (int i = 0; i < PER_FEATURE; i++) {
                long limb = v[base + i];
                boolean sumTop = i == SUM_LIMBS - 1;
                boolean ok = sumTop ? limb > -(1L << LIMB_BITS) && limb < 1L << LIMB_BITS : limb >= 0 && limb <= LOW;
                if (!ok) {
                    return "statistics limb " + limb + " of feature " + c + " at " + i + " (expected: a normalised "
                            + "exact sum, limbs in [0, 2^32))";
                }
            }
        }
        return null;
    }

    /** Feature {@code c}'s sum (in units of 2^-149) or sum of squares (units of 2^-298) in {@code totals}. */
    static BigInteger total(long[] totals, int c, boolean squares) {
        int from = c * PER_FEATURE + (squares ? SUM_LIMBS : 0);
        BigInteger t = BigInteger.ZERO;
        for (int i = from + (squares ? SQUARE_LIMBS : SUM_LIMBS) - 1; i >= from; i--) {
            t = t.shiftLeft(LIMB_BITS).add(BigInteger.valueOf(totals[i]));
        }
        return t;
    }

    /**
     * The standardisation of {@code columns} from the summed statistics of {@code rows} rows: each column's exact
     * mean and population variance, rounded once to double, through the core's {@link Preprocessor#standardisation}.
     *
     * @throws FederatedException when a variance comes out negative: the totals are not of real rows
     */
    static Preprocessor standardisation(long[] totals, List<String> columns, long rows) {
        int d = columns.size();
        double[] mean = new double[d];
        double[] variance = new double[d];
        BigInteger n = BigInteger.valueOf(rows);
        for (int c = 0; c < d; c++) {
            BigInteger s1 = total(totals, c, false);
            BigInteger s2 = total(totals, c, true);
            // Units: s1^2 and n * s2 are both in 2^-298, so n^2 * variance = n * s2 - s1^2 exactly.
            BigInteger spread = n.multiply(s2).subtract(s1.multiply(s1));
            if (spread.signum() < 0) {
                throw new FederatedException("statistics round: column '" + columns.get(c) + "' has a negative "
                        + "variance in the totals of " + rows + " rows (expected: the sums of real rows; a client sent "
                        + "garbage)");
            }
            mean[c] = ratio(s1, SUM_EXPONENT, n);
            variance[c] = ratio(spread, SQUARE_EXPONENT, n.multiply(n));
        }
        return Preprocessor.standardisation(columns, mean, variance);
    }

    /**
     * {@code p * 2^e / q} rounded to the nearest double (ties to even; q > 0): the quotient carried to at least 56
     * bits with a sticky bit for a non-zero remainder, which {@link BigInteger#doubleValue} then rounds correctly.
     */
    static double ratio(BigInteger p, int e, BigInteger q) {
        if (p.signum() == 0) {
            return 0.0;
        }
        int shift = Math.max(0, 56 + q.bitLength() - p.abs().bitLength());
        BigInteger[] qr = p.abs().shiftLeft(shift).divideAndRemainder(q);
        BigInteger m = qr[0];
        if (qr[1].signum() != 0) {
            m = m.shiftLeft(1).setBit(0);
            shift++;
        }
        double d = Math.scalb(m.doubleValue(), e - shift);
        return p.signum() < 0 ? -d : d;
    }
}
