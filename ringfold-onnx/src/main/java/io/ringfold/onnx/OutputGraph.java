package io.ringfold.onnx;

import io.ringfold.model.Model;
import onnx.Onnx.TensorProto;

import java.util.List;

import static io.ringfold.onnx.GraphBuilder.intAttr;

/**
 * The network's logits to the outputs Ringfold's server gives: {@value OnnxExport#PROBABILITIES} and
 * {@value OnnxExport#CLASS} for a classifier, {@value OnnxExport#VALUE} for a regressor. The class is decided as
 * {@link Model#predictedClasses} decides it: argmax of the probabilities (the first of equal ones), or for one
 * sigmoid output P(class 1) above the model's threshold.
 */
final class OutputGraph {

    private OutputGraph() {
    }

    /** Adds the output nodes; their names are those {@link OnnxExport#outputNames} gives. */
    static void outputs(GraphBuilder g, Model model, String logits) {
        switch (model.network().loss()) {
            case MSE -> g.opInto("Reshape", OnnxExport.VALUE, List.of(logits,
                    g.longs("value_shape", model.network().outputs() == 1 ? new long[] {-1}
                            : new long[] {-1, model.network().outputs()}, model.network().outputs() == 1 ? 1 : 2)));
            case BINARY_CROSS_ENTROPY -> {
                String p = g.op("Sigmoid", List.of(logits));
                String q = g.op("Sub", List.of(g.floats("one", new float[] {1f}), p));
                g.opInto("Concat", OnnxExport.PROBABILITIES, List.of(q, p), intAttr("axis", 1));
                String above = g.op("Greater", List.of(p, g.floats("threshold", new float[] {thresholdBelow(model.threshold())})));
                String index = g.op("Reshape", List.of(g.op("Cast", List.of(above), GraphBuilder.castTo(TensorProto.DataType.INT64)),
                        g.longs("rows", new long[] {-1}, 1)));
                className(g, model, index);
            }
            case CROSS_ENTROPY -> {
                String p = g.opInto("Softmax", OnnxExport.PROBABILITIES, List.of(logits), intAttr("axis", 1));
                className(g, model, g.op("ArgMax", List.of(p), intAttr("axis", 1), intAttr("keepdims", 0)));
            }
        }
    }

    private static void className(GraphBuilder g, Model model, String index) {
        List<String> names = model.classNames();
        g.opInto("Gather", OnnxExport.CLASS, List.of(g.strings("class_names", names, names.size()), index),
                intAttr("axis", 0));
    }

    /**
     * The largest float not above {@code t}: for a float p, {@code p > t} (Ringfold compares in double) holds
     * exactly when {@code p > thresholdBelow(t)}, since no float lies strictly between the two.
     */
    static float thresholdBelow(double t) {
        float f = (float) t;
        return f > t ? Math.nextDown(f) : f;
    }
}
