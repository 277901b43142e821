package io.ringfold.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Quality of class-probability predictions against true class indices. The definitions are scikit-learn's,
 * and ClassificationMetricsTest checks them against its numbers.
 *
 * @param count      number of examples
 * @param numClasses K; 2 for a binary model that outputs one probability column
 * @param accuracy   fraction whose predicted class (highest probability, ties to the lower index; for one
 *                   column, class 1 when p exceeds the decision threshold, as {@code Model.predictedClasses}) is
 *                   the true class
 * @param logLoss    mean negative log-likelihood of the true class, as scikit-learn's {@code log_loss}: each
 *                   probability clipped to [ε, 1 - ε] with ε = {@value #LOG_LOSS_EPSILON} (float32's machine
 *                   epsilon, which scikit-learn uses for float32 input), then each row divided by its sum
 * @param confusion  K×K counts, row = true class, column = predicted class
 * @param macroF1    unweighted mean of per-class F1 over the classes that occur in the labels or the
 *                   predictions (as scikit-learn's {@code f1_score(average="macro")}); see {@link #perClass()}
 * @param auc        for K = 2 with both classes present: area under the ROC curve of P(class 1), from
 *                   ranks with ties given their average rank (Mann-Whitney U / (n1·n0)); empty otherwise
 * @param prAuc      for K = 2 with both classes present: area under the precision-recall curve of class 1
 *                   as average precision (scikit-learn's {@code average_precision_score}); empty otherwise
 */
public record ClassificationMetrics(int count, int numClasses, double accuracy, double logLoss, int[][] confusion,
                                    double macroF1, OptionalDouble auc, OptionalDouble prAuc) {

    /** Probabilities are clipped to [ε, 1 - ε] before the logarithm, so log loss stays finite: ε = 2^-23. */
    public static final double LOG_LOSS_EPSILON = 0x1p-23;

    private static final ObjectMapper JSON = new ObjectMapper();

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
     * N×1 holding P(class 1) of a binary model, which predicts class 1 when P(class 1) ≥ 0.5.
     */
    public static ClassificationMetrics of(int[] labels, float[] probabilities) {
        return of(labels, probabilities, 0.5);
    }

    /**
     * As {@link #of(int[], float[])}, a one-column binary model predicting class 1 when P(class 1) exceeds
     * {@code threshold} (its decision threshold; MLlib's and scikit-learn's rule at 0.5); the threshold changes
     * accuracy, the confusion matrix and the per-class scores, not log loss, ROC AUC or PR AUC, which take the
     * probabilities themselves.
     */
    public static ClassificationMetrics of(int[] labels, float[] probabilities, double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: in [0, 1])");
        }
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
            double clippedSum = 0;
            for (int c = 0; c < cols; c++) {
                float p = probabilities[base + c];
                if (!(p >= 0f && p <= 1f)) {
                    throw new IllegalArgumentException("probabilities[" + i + ", " + c + "]: " + p
                            + " (expected: in [0, 1])");
                }
                clippedSum += clip(p);
            }
            int predicted;
            double pTrue;
            if (cols == 1) {
                double p1 = clip(probabilities[base]);
                predicted = probabilities[base] > threshold ? 1 : 0;
                pTrue = y == 1 ? p1 : 1.0 - p1;
            } else {
                predicted = 0;
                for (int c = 1; c < cols; c++) {
                    if (probabilities[base + c] > probabilities[base + predicted]) {
                        predicted = c;
                    }
                }
                pTrue = clip(probabilities[base + y]) / clippedSum;
            }
            if (positiveScore != null) {
                positiveScore[i] = probabilities[base + cols - 1];
            }
            confusion[y][predicted]++;
            correct += predicted == y ? 1 : 0;
            logLossSum -= Math.log(pTrue);
        }
        OptionalDouble auc = OptionalDouble.empty();
        OptionalDouble prAuc = OptionalDouble.empty();
        if (positiveScore != null) {
            auc = RocAuc.of(labels, positiveScore);
            prAuc = AveragePrecision.of(labels, positiveScore);
        }
        double macroF1 = macro(ClassScores.of(confusion), ClassScores::f1);
        return new ClassificationMetrics(n, k, (double) correct / n, logLossSum / n, confusion, macroF1, auc, prAuc);
    }

    /** As {@link #of(int[], float[])} with labels stored as floats (as in a Dataset); they must be integers. */
    public static ClassificationMetrics of(float[] labels, float[] probabilities) {
        return of(toClassIndices(labels), probabilities);
    }

    /** As {@link #of(int[], float[], double)} with labels stored as floats; they must be integers. */
    public static ClassificationMetrics of(float[] labels, float[] probabilities, double threshold) {
        return of(toClassIndices(labels), probabilities, threshold);
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

    private static double clip(float p) {
        return Math.min(Math.max(p, LOG_LOSS_EPSILON), 1.0 - LOG_LOSS_EPSILON);
    }

    /** Precision, recall, F1 and support of each class 0..K-1 against the rest. */
    public List<ClassScores> perClass() {
        return ClassScores.of(confusion);
    }

    /** Unweighted mean of per-class precision over the classes in the labels or the predictions. */
    public double macroPrecision() {
        return macro(perClass(), ClassScores::precision);
    }

    /** Unweighted mean of per-class recall over the classes in the labels or the predictions. */
    public double macroRecall() {
        return macro(perClass(), ClassScores::recall);
    }

    private static double macro(List<ClassScores> scores, ToDoubleFunction<ClassScores> metric) {
        double sum = 0;
        int classes = 0;
        for (ClassScores s : scores) {
            if (s.occurs()) {
                sum += metric.applyAsDouble(s);
                classes++;
            }
        }
        return sum / classes;
    }

    /**
     * Why a binary model has no ROC or PR AUC: its labels hold one class only (both curves need positives and
     * negatives). Empty when they are defined, and for K &gt; 2, where they are not computed.
     */
    public Optional<String> aucUndefinedReason() {
        if (numClasses != 2 || auc.isPresent()) {
            return Optional.empty();
        }
        int only = confusion[0][0] + confusion[0][1] > 0 ? 0 : 1;
        return Optional.of("only class " + only + " in the labels (expected: both classes for ROC AUC and PR AUC)");
    }

    private static int[][] deepCopy(int[][] m) {
        int[][] out = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }

    /** {@link #toJson()} as an ordered map of numbers, strings, lists and maps. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(toJson(), Map.class);
    }

    /**
     * count, numClasses, accuracy, logLoss, macroF1, macroPrecision, macroRecall; for a binary model auc and
     * prAuc, or aucUndefined with the reason; perClass (label, precision, recall, f1, support); confusion.
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("count", count);
        o.put("numClasses", numClasses);
        o.put("accuracy", accuracy);
        o.put("logLoss", logLoss);
        o.put("macroF1", macroF1);
        List<ClassScores> scores = perClass();
        o.put("macroPrecision", macro(scores, ClassScores::precision));
        o.put("macroRecall", macro(scores, ClassScores::recall));
        auc.ifPresent(a -> o.put("auc", a));
        prAuc.ifPresent(a -> o.put("prAuc", a));
        aucUndefinedReason().ifPresent(r -> o.put("aucUndefined", r));
        ArrayNode classes = o.putArray("perClass");
        for (ClassScores s : scores) {
            classes.addObject().put("label", s.label()).put("precision", s.precision()).put("recall", s.recall())
                    .put("f1", s.f1()).put("support", s.support());
        }
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
                && m.auc.equals(auc) && m.prAuc.equals(prAuc);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(confusion) * 31 + Double.hashCode(accuracy) + 17 * Double.hashCode(logLoss);
    }

    @Override
    public String toString() {
        return "ClassificationMetrics[n=" + count + ", K=" + numClasses + ", accuracy=" + accuracy + ", logLoss="
                + logLoss + ", macroF1=" + macroF1 + (auc.isPresent() ? ", auc=" + auc.getAsDouble() : "")
                + (prAuc.isPresent() ? ", prAuc=" + prAuc.getAsDouble() : "") + "]";
    }
}
