package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Model;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.Signature;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replies written straight to bytes against the JSON trees the handlers built before (kept here as
 * the reference, {@link #v2Tree} and {@link #predictionsTree}): byte for byte the same, for classifiers
 * and regressors, one and several rows, with and without id, parameters and a choice of outputs, and
 * output values with long decimal forms, tiny, huge and negative zero.
 */
class InferenceRepliesTest {

    private static final long SEED = 20261128L;

    @Test
    void v2RepliesAreTheBytesOfTheTree() throws Exception {
        System.out.println("InferenceRepliesTest: seed " + SEED);
        SplittableRandom rnd = new SplittableRandom(SEED);
        JsonNode params = Json.MAPPER.readTree("{\"a\": 1, \"nested\": {\"b\": [1.5, \"x\", null, true]}, \"s\": \"\\u00e9\\n\"}");
        for (Model m : List.of(TestModels.softmax(1), TestModels.linear())) {
            Signature s = Signature.of(m);
            for (int rows = 1; rows <= 3; rows++) {
                Outputs out = new Outputs(m, raw(rnd, rows, m.classNames().isEmpty() ? 1 : 3));
                List<List<String>> choices = s.classifier()
                        ? List.of(s.outputNames(), List.of(Signature.CLASS), List.of(Signature.PROBABILITIES, Signature.PROBABILITIES))
                        : List.of(s.outputNames());
                for (List<String> names : choices) {
                    for (String id : new String[] {null, "42", "quote \" and \u2028"}) {
                        for (JsonNode p : new JsonNode[] {null, params, Json.MAPPER.createObjectNode()}) {
                            byte[] expected = Json.MAPPER.writeValueAsBytes(v2Tree("mo\"del", 7, id, p, names, s, out));
                            byte[] actual = InferenceReplies.v2("mo\"del", 7, id, p, names, s, out);
                            assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
                            assertThat(actual).isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void predictionsAreTheBytesOfTheTree() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (Model m : List.of(TestModels.softmax(1), TestModels.linear())) {
            Signature s = Signature.of(m);
            for (int rows = 1; rows <= 4; rows++) {
                Outputs out = new Outputs(m, raw(rnd, rows, m.classNames().isEmpty() ? 1 : 3));
                byte[] expected = Json.MAPPER.writeValueAsBytes(predictionsTree(s, out));
                assertThat(new String(InferenceReplies.predictions(s, out), StandardCharsets.UTF_8))
                        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            }
        }
    }

    /** Random outputs mixed with values whose text forms are unusual. */
    private static FloatMatrix raw(SplittableRandom rnd, int rows, int cols) {
        float[] special = {0f, -0f, 1f / 3, 1e-30f, 3.4e38f, Float.MIN_VALUE, -2.5e-7f, 123456.79f, 1e7f, 0.001f};
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)] : (float) rnd.nextDouble(-3, 3);
        }
        return new FloatMatrix(rows, cols, v);
    }

    /** The v2 reply as InferenceProtocolApi built it before it wrote bytes directly. */
    private static ObjectNode v2Tree(String model, long version, String id, JsonNode params, List<String> names,
                                     Signature s, Outputs out) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_name", model);
        n.put("model_version", Long.toString(version));
        if (id != null) {
            n.put("id", id);
        }
        if (params != null) {
            n.set("parameters", params);
        }
        ArrayNode outs = n.putArray("outputs");
        for (String name : names) {
            ObjectNode t = Json.MAPPER.createObjectNode();
            t.put("name", name);
            t.put("datatype", s.outputDatatype(name));
            ArrayNode shape = t.putArray("shape").add(out.rows());
            ArrayNode data = t.putArray("data");
            if (Signature.PROBABILITIES.equals(name)) {
                shape.add(s.classNames().size());
                for (int r = 0; r < out.rows(); r++) {
                    for (float v : out.probabilities(r)) {
                        data.add(v);
                    }
                }
            } else {
                for (int r = 0; r < out.rows(); r++) {
                    if (Signature.CLASS.equals(name)) {
                        data.add(out.className(r));
                    } else {
                        data.add(out.value(r));
                    }
                }
            }
            outs.add(t);
        }
        return n;
    }

    /** The row-format :predict reply as TfServingApi built it before it wrote bytes directly. */
    private static ObjectNode predictionsTree(Signature s, Outputs out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode preds = root.putArray("predictions");
        for (int r = 0; r < out.rows(); r++) {
            ObjectNode p = preds.addObject();
            if (s.classifier()) {
                p.put(Signature.CLASS, out.className(r));
                ArrayNode probs = p.putArray(Signature.PROBABILITIES);
                for (float v : out.probabilities(r)) {
                    probs.add(v);
                }
            } else {
                p.put(Signature.VALUE, out.value(r));
            }
        }
        return root;
    }
}
