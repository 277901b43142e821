package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replies written straight to bytes against JSON trees built node by node from the same tensors (the
 * reference): byte for byte the same, for every datatype, one and several rows, nested shapes, with and
 * without id and parameters, and values with long decimal forms, tiny, huge, negative zero and UINT64 above
 * Long.MAX_VALUE.
 */
class InferenceRepliesTest {

    private static final long SEED = 20261128L;

    @Test
    void v2RepliesAreTheBytesOfTheTree() throws Exception {
        System.out.println("InferenceRepliesTest: seed " + SEED);
        SplittableRandom rnd = new SplittableRandom(SEED);
        JsonNode params = Json.MAPPER.readTree("{\"a\": 1, \"nested\": {\"b\": [1.5, \"x\", null, true]}, \"s\": \"\\u00e9\\n\"}");
        for (int rows = 1; rows <= 3; rows++) {
            List<Tensor> outs = new ArrayList<>();
            for (DataType t : DataType.values()) {
                outs.add(random(rnd, t, new long[] {rows, 2}));
            }
            for (String id : new String[] {null, "42", "quote \" and \u2028"}) {
                for (JsonNode p : new JsonNode[] {null, params, Json.MAPPER.createObjectNode()}) {
                    byte[] expected = Json.MAPPER.writeValueAsBytes(v2Tree("mo\"del", 7, id, p, outs));
                    byte[] actual = InferenceReplies.v2("mo\"del", 7, id, p, outs);
                    assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
                    assertThat(actual).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void predictionsAreTheBytesOfTheTree() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (int rows = 1; rows <= 4; rows++) {
            // A Ringfold classifier's outputs: one object per row, named.
            List<Tensor> classifier = List.of(random(rnd, DataType.FP32, new long[] {rows, 3}),
                    random(rnd, DataType.BYTES, new long[] {rows}));
            ModelSignature ringfold = signature("ringfold", classifier);
            assertThat(text(InferenceReplies.predictions(ringfold, classifier)))
                    .isEqualTo(text(Json.MAPPER.writeValueAsBytes(predictionsTree(classifier, true))));
            // Another backend's model with one output: the rows themselves, nested as the output's shape.
            List<Tensor> one = List.of(random(rnd, DataType.INT64, new long[] {rows, 2, 3}));
            ModelSignature onnx = signature("onnxruntime_onnx", one);
            assertThat(text(InferenceReplies.predictions(onnx, one)))
                    .isEqualTo(text(Json.MAPPER.writeValueAsBytes(predictionsTree(one, false))));
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ModelSignature signature(String platform, List<Tensor> outputs) {
        return new ModelSignature(platform, List.of(), outputs.stream()
                .map(t -> new TensorSpec(t.name(), t.datatype(), t.shape())).toList(), List.of(), List.of());
    }

    /** Random values mixed with values whose text forms are unusual. */
    private static Tensor random(SplittableRandom rnd, DataType type, long[] shape) {
        int n = (int) Tensor.elementCount(shape);
        float[] special = {0f, -0f, 1f / 3, 1e-30f, 3.4e38f, Float.MIN_VALUE, -2.5e-7f, 123456.79f, 1e7f, 0.001f};
        Object data = switch (type.storage().getSimpleName()) {
            case "float[]" -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)] : (float) rnd.nextDouble(-3, 3);
                }
                yield v;
            }
            case "double[]" -> rnd.doubles(n, -1e300, 1e300).toArray();
            case "int[]" -> rnd.ints(n, -128, 128).map(v -> type.name().startsWith("U") ? Math.abs(v) : v).toArray();
            case "long[]" -> rnd.longs(n).map(v -> type == DataType.UINT32 ? v >>> 32 : v).toArray();
            case "boolean[]" -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = rnd.nextBoolean();
                }
                yield v;
            }
            default -> {
                byte[][] v = new byte[n][];
                for (int i = 0; i < n; i++) {
                    v[i] = ("class \"" + rnd.nextInt(100) + "\" \u00e9").getBytes(StandardCharsets.UTF_8);
                }
                yield v;
            }
        };
        return new Tensor(type.name().toLowerCase(java.util.Locale.ROOT), type, shape, data);
    }

    /** Element i as a tree node added to {@code a}. */
    private static void add(ArrayNode a, Tensor t, int i) {
        switch (t.datatype()) {
            case FP32, FP16, BF16 -> a.add(t.floats()[i]);
            case FP64 -> a.add(t.doubles()[i]);
            case INT8, INT16, INT32, UINT8, UINT16 -> a.add(t.ints()[i]);
            case INT64, UINT32 -> a.add(t.longs()[i]);
            case UINT64 -> a.add(new BigInteger(Long.toUnsignedString(t.longs()[i])));
            case BOOL -> a.add(t.bools()[i]);
            case BYTES -> a.add(t.string(i));
        }
    }

    private static ObjectNode v2Tree(String model, long version, String id, JsonNode params, List<Tensor> outs) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_name", model);
        n.put("model_version", Long.toString(version));
        if (id != null) {
            n.put("id", id);
        }
        if (params != null) {
            n.set("parameters", params);
        }
        ArrayNode list = n.putArray("outputs");
        for (Tensor out : outs) {
            ObjectNode t = list.addObject();
            t.put("name", out.name());
            t.put("datatype", out.datatype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : out.shape()) {
                shape.add(d);
            }
            ArrayNode data = t.putArray("data");
            for (int i = 0; i < out.elementCount(); i++) {
                add(data, out, i);
            }
        }
        return n;
    }

    private static ObjectNode predictionsTree(List<Tensor> outs, boolean named) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode preds = root.putArray("predictions");
        int rows = (int) outs.get(0).dim(0);
        for (int r = 0; r < rows; r++) {
            ObjectNode p = named ? preds.addObject() : null;
            for (Tensor t : outs) {
                int per = t.elementCount() / rows;
                ArrayNode holder = Json.MAPPER.createArrayNode();
                if (t.rank() == 1) {
                    add(holder, t, r);
                } else {
                    ArrayNode row = holder.addArray();
                    nest(row, t, 1, r * per);
                }
                if (named) {
                    p.set(t.name(), holder.get(0));
                } else {
                    preds.add(holder.get(0));
                }
            }
        }
        return root;
    }

    /** Fills {@code a} with dimension {@code d} onwards of {@code t} from element {@code from}; returns the next. */
    private static int nest(ArrayNode a, Tensor t, int d, int from) {
        int i = from;
        for (long k = 0; k < t.dim(d); k++) {
            if (d == t.rank() - 1) {
                add(a, t, i++);
            } else {
                i = nest(a.addArray(), t, d + 1, i);
            }
        }
        return i;
    }
}
