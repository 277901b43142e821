package io.ringfold.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.nn.LayerKind;
import io.ringfold.nn.Network;

import java.util.List;
import java.util.Optional;

/**
 * A linear, logistic or softmax model's coefficients in the units of the raw columns, as MLlib reports them:
 * the model computes {@code z = W' x_std + b} on standardised features {@code x_std = (x - shift) / scale}, which
 * is {@code (W / scale)' x + (b - sum_j W_j shift_j / scale_j)} on the raw ones. One-hot and token-count
 * columns are not standardised, so their coefficients are the model's own. A regression target's scaling is
 * already folded into W and b.
 *
 * @param columns   the model's input columns after preprocessing (one-hot columns named {@code col=category})
 * @param outputs   K: 1 for linear and logistic, the class count for softmax
 * @param weights   {@code columns x K}, row-major
 * @param intercept K values
 */
public record Coefficients(List<String> columns, int outputs, double[] weights, double[] intercept) {

    public Coefficients {
        columns = List.copyOf(columns);
        weights = weights.clone();
        intercept = intercept.clone();
    }

    /** The coefficients of {@code model} if it is a single dense layer (linear, logistic, softmax); else empty. */
    public static Optional<Coefficients> of(Model model) {
        Network net = model.network();
        if (net.nodes().size() != 1 || net.nodes().get(0).spec().kind() != LayerKind.DENSE) {
            return Optional.empty();
        }
        Preprocessor pre = model.preprocessor();
        List<String> columns = pre.outputColumns();
        int d = net.inputSize();
        int k = net.outputs();
        if (columns.size() != d) {
            return Optional.empty();
        }
        float[] p = model.parameters();
        List<String> inputs = pre.inputColumns();
        float[] shift = pre.shift();
        float[] scale = pre.scale();
        double[] w = new double[d * k];
        double[] b = new double[k];
        for (int c = 0; c < k; c++) {
            b[c] = p[d * k + c];
        }
        for (int j = 0; j < d; j++) {
            String column = columns.get(j);
            int input = inputs.indexOf(column);
            boolean numeric = input >= 0 && !pre.vocabularies().containsKey(column)
                    && pre.text().map(t -> !t.column().equals(column)).orElse(true);
            double s = numeric ? scale[input] : 1;
            double m = numeric ? shift[input] : 0;
            for (int c = 0; c < k; c++) {
                double raw = p[j * k + c] / s;
                w[j * k + c] = raw;
                b[c] -= raw * m;
            }
        }
        return Optional.of(new Coefficients(columns, k, w, b));
    }

    /** {@code {"intercept": [K], "weights": {"column": [K], ...}}}, columns in the model's order. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode n = f.objectNode();
        ArrayNode i = n.putArray("intercept");
        for (double v : intercept) {
            i.add(v);
        }
        ObjectNode ws = n.putObject("weights");
        for (int j = 0; j < columns.size(); j++) {
            ArrayNode a = ws.putArray(columns.get(j));
            for (int c = 0; c < outputs; c++) {
                a.add(weights[j * outputs + c]);
            }
        }
        return n;
    }
}
