package io.ringfold.serving.metrics;

/**
 * A histogram's counts at one moment: per-bucket (not cumulative) counts for each upper bound, the count
 * above the last bound, the total count and the sum of observations. Quantiles are estimated as
 * Prometheus's {@code histogram_quantile} does, by linear interpolation inside the bucket that holds the
 * rank, so they are as coarse as the buckets.
 *
 * @param bounds   the buckets' upper bounds, ascending
 * @param counts   observations in each bucket: {@code (bounds[i-1], bounds[i]]}, from 0 for the first
 * @param overflow observations above the last bound
 */
public record HistogramSnapshot(double[] bounds, long[] counts, long overflow, long count, double sum) {

    public HistogramSnapshot {
        if (bounds.length != counts.length) {
            throw new IllegalArgumentException("counts: " + counts.length + " buckets (expected: " + bounds.length
                    + ", one per bound)");
        }
        bounds = bounds.clone();
        counts = counts.clone();
    }

    @Override
    public double[] bounds() {
        return bounds.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Mean of the observations; NaN when there are none. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * The estimated {@code q}-quantile; NaN when empty. A rank inside the overflow bucket answers the last
     * bound, as Prometheus does, because the bucket has no upper end to interpolate towards.
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0 <= q <= 1)");
        }
        if (count == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        long below = 0;
        for (int i = 0; i < bounds.length; i++) {
            long c = counts[i];
            if (c > 0 && below + c >= rank) {
                double lower = i == 0 ? Math.min(0, bounds[0]) : bounds[i - 1];
                return lower + (bounds[i] - lower) * (rank - below) / c;
            }
            below += c;
        }
        return bounds[bounds.length - 1];
    }

    /** This snapshot and {@code other} (same bounds) as one: the histogram of both sets of observations. */
    public HistogramSnapshot plus(HistogramSnapshot other) {
        if (!java.util.Arrays.equals(bounds, other.bounds)) {
            throw new IllegalArgumentException("bounds: " + java.util.Arrays.toString(other.bounds) + " (expected: "
                    + java.util.Arrays.toString(bounds) + ")");
        }
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i] + other.counts[i];
        }
        return new HistogramSnapshot(bounds, c, overflow + other.overflow, count + other.count, sum + other.sum);
    }

    /** No observations, with {@code bounds}. */
    public static HistogramSnapshot empty(double[] bounds) {
        return new HistogramSnapshot(bounds, new long[bounds.length], 0, 0, 0);
    }
}
