package io.ringfold.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * One class's precision, recall and F1 against the rest, as scikit-learn's
 * {@code precision_recall_fscore_support(..., zero_division=0)}: a ratio whose denominator is 0 (a class
 * never predicted has no precision, one with no examples no recall) counts as 0.
 *
 * @param label     the class index
 * @param precision TP / (TP + FP)
 * @param recall    TP / (TP + FN)
 * @param f1        2TP / (2TP + FP + FN), the harmonic mean of precision and recall
 * @param support   examples whose true class this is, TP + FN
 * @param predicted examples predicted as this class, TP + FP
 */
public record ClassScores(int label, double precision, double recall, double f1, int support, int predicted) {

    /** One entry per class of a K×K confusion matrix (row = true class, column = predicted class). */
    static List<ClassScores> of(int[][] confusion) {
        int k = confusion.length;
        List<ClassScores> out = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            // At most N, an int; as an int the JSON's numbers are also the type they read back as.
            int support = 0;
            int predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            out.add(new ClassScores(c, ratio(tp, predicted), ratio(tp, support),
                    ratio(2L * tp, (long) support + predicted), support, predicted));
        }
        return List.copyOf(out);
    }

    /**
     * Whether the class occurs in the labels or the predictions: the macro averages are taken over these
     * classes only, as scikit-learn's default {@code labels} (those of y_true and y_pred).
     */
    public boolean occurs() {
        return support > 0 || predicted > 0;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }
}
