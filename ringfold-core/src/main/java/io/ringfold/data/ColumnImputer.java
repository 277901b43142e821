package io.ringfold.data;

import io.ringfold.tensor.FloatMatrix;

import java.util.Arrays;

/**
 * The value a missing cell of a numeric column becomes, learnt from the column's present (non-NaN) values
 * as scikit-learn's {@code SimpleImputer} does: their mean, their median (the mean of the two middle values
 * for an even count, as {@code numpy.median}), or their most frequent value (the smallest of those tied, as
 * {@code SimpleImputer(strategy="most_frequent")}). Means and medians are computed in double and rounded
 * once to float.
 */
final class ColumnImputer {

    private ColumnImputer() {
    }

    /**
     * The imputation value of each column of {@code x} for which {@code numeric} is true, NaN for the others
     * and for a column without a present value.
     */
    static float[] values(FloatMatrix x, boolean[] numeric, ImputeStrategy strategy) {
        int d = x.cols();
        float[] fill = new float[d];
        if (strategy == ImputeStrategy.MEAN) {
            means(x, numeric, fill);
            return fill;
        }
        for (int c = 0; c < d; c++) {
            fill[c] = numeric[c] ? orderStatistic(x, c, strategy) : Float.NaN;
        }
        return fill;
    }

    /** One row-major pass (a pass per column would stride through memory: a second on Fashion-MNIST). */
    private static void means(FloatMatrix x, boolean[] numeric, float[] fill) {
        int n = x.rows();
        int d = x.cols();
        float[] data = x.data();
        double[] sum = new double[d];
        int[] present = new int[d];
        for (int r = 0; r < n; r++) {
            int base = r * d;
            for (int c = 0; c < d; c++) {
                float v = data[base + c];
                if (v == v) {
                    sum[c] += v;
                    present[c]++;
                }
            }
        }
        for (int c = 0; c < d; c++) {
            fill[c] = numeric[c] && present[c] > 0 ? (float) (sum[c] / present[c]) : Float.NaN;
        }
    }

    /** The median or most frequent present value of column {@code c}, or NaN when none is present. */
    private static float orderStatistic(FloatMatrix x, int c, ImputeStrategy strategy) {
        int n = x.rows();
        int d = x.cols();
        float[] data = x.data();
        float[] sorted = new float[n];
        int present = 0;
        for (int r = 0; r < n; r++) {
            float v = data[r * d + c];
            if (v == v) {
                sorted[present++] = v;
            }
        }
        if (present == 0) {
            return Float.NaN;
        }
        Arrays.sort(sorted, 0, present);
        if (strategy == ImputeStrategy.MEDIAN) {
            int mid = present / 2;
            return present % 2 == 1 ? sorted[mid] : (float) (((double) sorted[mid - 1] + sorted[mid]) / 2);
        }
        return mostFrequent(sorted, present);
    }

    /** The longest run of equal values in sorted {@code v[0, n)}; the first (smallest) of equally long ones. */
    private static float mostFrequent(float[] v, int n) {
        float best = v[0];
        int bestRun = 0;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            // == rather than bits, so that -0.0 and 0.0 (adjacent after sorting) count as one value.
            while (j < n && v[j] == v[i]) {
                j++;
            }
            if (j - i > bestRun) {
                bestRun = j - i;
                best = v[i];
            }
            i = j;
        }
        return best;
    }

    /** A copy of {@code x} with each NaN of column {@code c} replaced by {@code fill[c]}. */
    static FloatMatrix impute(FloatMatrix x, float[] fill) {
        int d = x.cols();
        float[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] != out[i]) {
                out[i] = fill[i % d];
            }
        }
        return new FloatMatrix(x.rows(), d, out);
    }
}
