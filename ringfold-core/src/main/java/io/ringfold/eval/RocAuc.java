package io.ringfold.eval;

import java.util.OptionalDouble;

/**
 * Area under the ROC curve from ranks (Hanley and McNeil, Radiology 143, 1982): AUC = (R1 - n1(n1+1)/2)
 * / (n1·n0), R1 the sum of the positives' ranks among all scores, tied scores sharing their average
 * rank (which counts a tied positive-negative pair as one half).
 */
final class RocAuc {

    private RocAuc() {
    }

    /** Labels 0/1; empty when only one class is present. */
    static OptionalDouble of(int[] labels, float[] scores) {
        int n = labels.length;
        int[] order = ScoreOrder.ascending(scores);
        long positives = 0;
        double positiveRankSum = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            float s = scores[order[start]];
            int groupPositives = 0;
            while (end < n && scores[order[end]] == s) {
                groupPositives += labels[order[end]];
                end++;
            }
            // Ranks start+1 .. end share their mean.
            positiveRankSum += groupPositives * ((start + 1 + end) / 2.0);
            positives += groupPositives;
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives));
    }
}
