package io.ringfold.eval;

import java.util.OptionalDouble;

/**
 * Area under the precision-recall curve as average precision, AP = Σ (R_t - R_{t-1}) · P_t over the
 * distinct scores t from the highest down, tied scores forming one threshold: the step sum of
 * scikit-learn's {@code average_precision_score}, not the trapezoids, which overstate the area when
 * precision falls between thresholds (Davis and Goadrich, ICML 2006).
 */
final class AveragePrecision {

    private AveragePrecision() {
    }

    /** Labels 0/1, class 1 the positive one; empty when only one class is present (as {@link RocAuc}). */
    static OptionalDouble of(int[] labels, float[] scores) {
        int n = labels.length;
        long positives = 0;
        for (int y : labels) {
            positives += y;
        }
        if (positives == 0 || positives == n) {
            return OptionalDouble.empty();
        }
        int[] order = ScoreOrder.ascending(scores);
        long truePositives = 0;
        double ap = 0;
        int end = n;
        while (end > 0) {
            int start = end;
            float s = scores[order[end - 1]];
            long groupPositives = 0;
            while (start > 0 && scores[order[start - 1]] == s) {
                groupPositives += labels[order[start - 1]];
                start--;
            }
            if (groupPositives > 0) {
                truePositives += groupPositives;
                // Recall rises by groupPositives / positives at precision TP / (rows at or above s).
                ap += (double) groupPositives / positives * ((double) truePositives / (n - start));
            }
            end = start;
        }
        return OptionalDouble.of(ap);
    }
}
