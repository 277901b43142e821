package io.ringfold.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quality of real-valued predictions, all sums in double.
 *
 * @param count number of examples
 * @param rmse  root of the mean squared error
 * @param mae   mean absolute error
 * @param r2    coefficient of determination 1 - SS_res / SS_tot; when the targets are constant (SS_tot = 0)
 *              it is 1 for a perfect prediction and 0 otherwise, as scikit-learn's {@code r2_score}
 */
public record RegressionMetrics(int count, double rmse, double mae, double r2) {

    public static RegressionMetrics of(float[] targets, float[] predictions) {
        int n = targets.length;
        if (n == 0 || predictions.length != n) {
            throw new IllegalArgumentException("predictions: " + predictions.length + " for " + n
                    + " targets (expected: equal lengths, at least one)");
        }
        double meanTarget = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(targets[i]) || !Float.isFinite(predictions[i])) {
                throw new IllegalArgumentException("row " + i + ": target " + targets[i] + ", prediction "
                        + predictions[i] + " (expected: finite)");
            }
            meanTarget += targets[i];
        }
        meanTarget /= n;
        double squared = 0;
        double absolute = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double e = (double) targets[i] - predictions[i];
            squared += e * e;
            absolute += Math.abs(e);
            double d = targets[i] - meanTarget;
            total += d * d;
        }
        double r2 = total > 0 ? 1 - squared / total : (squared == 0 ? 1.0 : 0.0);
        return new RegressionMetrics(n, Math.sqrt(squared / n), absolute / n, r2);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("rmse", rmse);
        m.put("mae", mae);
        m.put("r2", r2);
        return m;
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("count", count);
        o.put("rmse", rmse);
        o.put("mae", mae);
        o.put("r2", r2);
        return o;
    }
}
