package io.ringfold.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a client tells the coordinator about its data when it joins: the feature columns' names, one example's
 * shape, the class names its source defines (Fashion-MNIST's, a CSV's label names), and its row count (FedAvg
 * weighs updates by it). Never a row or a label; the only statistics of the values it sends are the per-feature
 * sums of the standardisation round ({@link StatisticsRound}), and only when the run standardises.
 */
public record DataDescription(List<String> features, int[] exampleShape, List<String> classNames, long rows) {

    public DataDescription {
        features = List.copyOf(features);
        exampleShape = exampleShape.clone();
        classNames = List.copyOf(classNames);
        if (rows <= 0) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: > 0)");
        }
    }

    /**
     * The description of {@code data}, which must be what federated clients train on: numeric columns without
     * missing values (a federated run fits no imputation, one-hot codes or vocabulary: those would need every
     * client's rows; its only preprocessing is the standardisation of its statistics round).
     */
    public static DataDescription of(Dataset data) {
        if (!data.schema().categoricalVocabularies().isEmpty() || !data.schema().textColumns().isEmpty()) {
            throw new IllegalArgumentException(data.source() + ": categorical or text columns " + data.schema()
                    .categoricalVocabularies().keySet() + data.schema().textColumns().keySet() + " (expected: numeric "
                    + "columns only; a federated run fits no one-hot codes or vocabulary, as that would pool every "
                    + "client's data)");
        }
        if (data.hasMissingValues()) {
            throw new IllegalArgumentException(data.source() + ": missing values (expected: none; a federated model's "
                    + "preprocessing imputes nothing)");
        }
        return new DataDescription(data.schema().featureNames(), data.exampleShape().dims(),
                data.schema().classNames(), data.size());
    }

    @Override
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** Why a client with {@code other} cannot join a run whose clients have this description, or null. */
    public String mismatch(DataDescription other) {
        if (!features.equals(other.features)) {
            return other.features.size() + " feature columns " + abbreviate(other.features) + " (expected: "
                    + features.size() + ", " + abbreviate(features) + ")";
        }
        if (!Arrays.equals(exampleShape, other.exampleShape)) {
            return "example shape " + Arrays.toString(other.exampleShape) + " (expected: " + Arrays.toString(exampleShape)
                    + ")";
        }
        if (!classNames.equals(other.classNames)) {
            return "class names " + other.classNames + " (expected: " + classNames + ")";
        }
        return null;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 4 ? names.toString() : "[" + names.get(0) + ", " + names.get(1) + ", ..., "
                + names.get(names.size() - 1) + "]";
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode f = n.putArray("features");
        features.forEach(f::add);
        ArrayNode s = n.putArray("example_shape");
        for (int d : exampleShape) {
            s.add(d);
        }
        ArrayNode c = n.putArray("class_names");
        classNames.forEach(c::add);
        n.put("rows", rows);
        return n;
    }

    /** Reads {@link #toJson}; a missing or mistyped field is an IllegalArgumentException naming it. */
    public static DataDescription fromJson(JsonNode n) {
        return new DataDescription(strings(n, "features"), ints(n, "example_shape"), strings(n, "class_names"),
                positive(n, "rows"));
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException(field + ": " + a + " (expected: an array of strings)");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : a) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException(field + ": " + e + " (expected: a string)");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static int[] ints(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || !a.isArray() || a.size() == 0 || a.size() > 8) {
            throw new IllegalArgumentException(field + ": " + a + " (expected: 1 to 8 positive integers)");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).canConvertToInt() || a.get(i).asInt() <= 0) {
                throw new IllegalArgumentException(field + ": " + a + " (expected: positive integers)");
            }
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static long positive(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || v.asLong() <= 0) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: an integer > 0)");
        }
        return v.asLong();
    }
}
