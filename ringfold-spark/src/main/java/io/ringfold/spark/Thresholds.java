package io.ringfold.spark;

import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Params;

import java.util.Arrays;

/**
 * MLlib's two ways to set a classifier's decision, shared by {@link RingfoldClassifier} and
 * {@link RingfoldClassificationModel}: {@code threshold}, on P(class 1) of a binary model, and
 * {@code thresholds}, one per class, predicting the class with the largest {@code p_k / t_k} (a class with
 * {@code t_k = 0} wins whenever its probability is positive). For two classes they are the same decision at
 * {@code threshold = 1 / (1 + t_0 / t_1)}, as MLlib relates them.
 */
final class Thresholds {

    private Thresholds() {
    }

    static DoubleArrayParam param(Params owner) {
        return new DoubleArrayParam(owner, "thresholds", "MLlib's per-class thresholds: predict the class with the "
                + "largest p_k / t_k (values >= 0, at most one of them 0); for two classes the binary threshold "
                + "1 / (1 + t_0 / t_1).", ParamCheck.of("thresholds", "values >= 0, at most one of them 0",
                Thresholds::valid));
    }

    private static boolean valid(double[] t) {
        int zeros = 0;
        for (double v : t) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                return false;
            }
            zeros += v == 0 ? 1 : 0;
        }
        return t.length > 0 && zeros <= 1;
    }

    /**
     * The binary decision threshold on P(class 1): {@code thresholds}' when set (two values), else
     * {@code threshold}'s; both set must agree, as MLlib requires.
     */
    static double binary(Params owner, DoubleParam threshold, DoubleArrayParam thresholds) {
        double t = (Double) owner.getOrDefault(threshold);
        if (!owner.isSet(thresholds)) {
            return t;
        }
        double[] ts = (double[]) owner.getOrDefault(thresholds);
        if (ts.length != 2) {
            throw new IllegalArgumentException("thresholds: " + Arrays.toString(ts) + " (expected: 2 values for a "
                    + "binary model)");
        }
        double fromPair = 1 / (1 + ts[0] / ts[1]);
        if (owner.isSet(threshold) && Math.abs(fromPair - t) > 1e-5) {
            throw new IllegalArgumentException("threshold: " + t + " with thresholds: " + Arrays.toString(ts)
                    + " (expected: one of them, or the same decision: threshold = 1 / (1 + t0 / t1) = " + fromPair
                    + ")");
        }
        return fromPair;
    }

    /** The per-class thresholds for a model of {@code classes} classes, or null when unset. */
    static double[] perClass(Params owner, DoubleArrayParam thresholds, int classes) {
        if (!owner.isSet(thresholds)) {
            return null;
        }
        double[] ts = (double[]) owner.getOrDefault(thresholds);
        if (ts.length != classes) {
            throw new IllegalArgumentException("thresholds: " + Arrays.toString(ts) + " (expected: " + classes
                    + " values, one per class)");
        }
        return ts.clone();
    }

    /** MLlib's decision: the class with the largest {@code p_k / t_k}, a zero threshold counting as infinite. */
    static int argmaxScaled(float[] p, int from, int k, double[] t) {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double v = t[c] == 0 ? Double.POSITIVE_INFINITY : p[from + c] / t[c];
            if (v > max) {
                max = v;
                best = c;
            }
        }
        return best;
    }
}
