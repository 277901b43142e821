package io.ringfold.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Quality of class-probability predictions against true class indices.
 *
 * @param count      number of examples
 * @param numClasses K; 2 for a binary model that outputs one probability column
 * @param accuracy   fraction whose predicted class (highest probability, ties to the lower index; for one
 *                   column, class 1 when p &gt; 0.5) is the true class
 * @param logLoss    mean of {@code -ln max(p_true, }{@value #LOG_LOSS_EPSILON}{@code )}, rows not renormalised
 * @param confusion  K×K counts, row = true class, column = predicted class
 * @param macroF1    unweighted mean of per-class F1 = 2TP / (2TP + FP + FN) over the classes that occur in
 *                   the labels or the predictions (as scikit-learn's {@code f1_score(average="macro")})
 * @param auc        for K = 2 with both classes present: area under the ROC curve of P(class 1), from
 *                   ranks with ties given their average rank (Mann-Whitney U / (n1·n0)); empty otherwise
 */
public record ClassificationMetrics(int count, int numClasses, double accuracy, double logLoss, int[][] confusion,
                                    double macroF1, OptionalDouble auc) {

    /** Probabilities are clipped from below at this value before the logarithm, so log loss stays finite. */
    public static final double LOG_LOSS_EPSILON = 1e-15;

    public ClassificationMetrics {
        confusion = deepCopy(confusion);
    }

    /** A copy of the confusion matrix. */
    @Override
    public int[][] confusion() {
        return deepCopy(confusion);
    }

    /**
     * Metrics for {@code labels[i]} in {@code 0..K-1} and {@code probabilities} row-major N×K (K ≥ 2), or
     * N×1 holding P(class 1) of a binary model.
     */
    public static ClassificationMetrics of(int[] labels, float[] probabilities) {
        int n = labels.length;
        if (n == 0) {
            throw new IllegalArgumentException("labels: 0 (expected: at least one example)");
        }
        if (probabilities.length == 0 || probabilities.length % n != 0) {
            throw new IllegalArgumentException("probabilities: " + probabilities.length + " values for " + n
                    + " labels (expected: a positive multiple, N x K row-major)");
        }
        int cols = probabilities.length / n;
        int k = cols == 1 ? 2 : cols;
        int[][] confusion = new int[k][k];
        double logLossSum = 0;
        int correct = 0;
        float[] positiveScore = k == 2 ? new float[n] : null;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("labels[" + i + "]: " + y + " (expected: in [0, " + k + "))");
            }
            int base = i * cols;
            for (int c = 0; c < cols; c++) {
                float p = probabilities[base + c];
                if (!(p >= 0f && p <= 1f)) {
                    throw new IllegalArgumentException("probabilities[" + i + ", " + c + "]: " + p
                            + " (expected: in [0, 1])");
                }
            }
            int predicted;
            double pTrue;
            if (cols == 1) {
                double p1 = probabilities[base];
                predicted = p1 > 0.5 ? 1 : 0;
                pTrue = y == 1 ? p1 : 1.0 - p1;
            } else {
                predicted = 0;
                for (int c = 1; c < cols; c++) {
                    if (probabilities[base + c] > probabilities[base + predicted]) {
                        predicted = c;
                    }
                }
                pTrue = probabilities[base + y];
            }
            if (positiveScore != null) {
                positiveScore[i] = probabilities[base + cols - 1];
            }
            confusion[y][predicted]++;
            correct += predicted == y ? 1 : 0;
            logLossSum -= Math.log(Math.max(pTrue, LOG_LOSS_EPSILON));
        }
        OptionalDouble auc = positiveScore == null ? OptionalDouble.empty() : RocAuc.of(labels, positiveScore);
        return new ClassificationMetrics(n, k, (double) correct / n, logLossSum / n, confusion, macroF1(confusion), auc);
    }

    /** As {@link #of(int[], float[])} with labels stored as floats (as in a Dataset); they must be integers. */
    public static ClassificationMetrics of(float[] labels, float[] probabilities) {
        return of(toClassIndices(labels), probabilities);
    }

    static int[] toClassIndices(float[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            float y = labels[i];
            if (!(y >= 0f && y == Math.rint(y) && y < Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("labels[" + i + "]: " + y + " (expected: integer class index >= 0)");
            }
            out[i] = (int) y;
        }
        return out;
    }

    private static double macroF1(int[][] confusion) {
        int k = confusion.length;
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long fn = 0;
            long fp = 0;
            for (int j = 0; j < k; j++) {
                if (j != c) {
                    fn += confusion[c][j];
                    fp += confusion[j][c];
                }
            }
            long denominator = 2 * tp + fp + fn;
            if (denominator > 0) {
                sum += 2.0 * tp / denominator;
                classes++;
            }
        }
        return sum / classes;
    }

    private static int[][] deepCopy(int[][] m) {
        int[][] out = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }

    /** Ordered map view: count, numClasses, accuracy, logLoss, macroF1, auc (when defined), confusion. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("numClasses", numClasses);
        m.put("accuracy", accuracy);
        m.put("logLoss", logLoss);
        m.put("macroF1", macroF1);
        auc.ifPresent(a -> m.put("auc", a));
        List<List<Integer>> rows = new ArrayList<>();
        for (int[] row : confusion) {
            rows.add(Arrays.stream(row).boxed().toList());
        }
        m.put("confusion", rows);
        return m;
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("count", count);
        o.put("numClasses", numClasses);
        o.put("accuracy", accuracy);
        o.put("logLoss", logLoss);
        o.put("macroF1", macroF1);
        auc.ifPresent(a -> o.put("auc", a));
        ArrayNode rows = o.putArray("confusion");
        for (int[] row : confusion) {
            ArrayNode r = rows.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        return o;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassificationMetrics m && m.count == count && m.numClasses == numClasses
                && Double.compare(m.accuracy, accuracy) == 0 && Double.compare(m.logLoss, logLoss) == 0
                && Arrays.deepEquals(m.confusion, confusion) && Double.compare(m.macroF1, macroF1) == 0
                && m.auc.equals(auc);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(confusion) * 31 + Double.hashCode(accuracy) + 17 * Double.hashCode(logLoss);
    }

    @Override
    public String toString() {
        return "ClassificationMetrics[n=" + count + ", K=" + numClasses + ", accuracy=" + accuracy + ", logLoss="
                + logLoss + ", macroF1=" + macroF1 + (auc.isPresent() ? ", auc=" + auc.getAsDouble() : "") + "]";
    }
}
