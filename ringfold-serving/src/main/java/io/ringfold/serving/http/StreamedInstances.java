package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;

import java.io.IOException;

/**
 * A TF Serving {@code :predict} body in row format, {@code {["signature_name": "serving_default",]
 * "instances": [[...], ...]}}, read from a parser without tree nodes when every row is a plain array of
 * numbers, each exactly a float. {@link #tensor} gives it for a model of one FP32 input when the rows are
 * of equal width, with the bits the tree path gives, and otherwise answers null so that the tree path
 * decides and names the error.
 */
final class StreamedInstances {

    private final ExactFloats values;
    private final int rows;
    /** Values per row when all rows have the same count, else -1. */
    private final int width;

    private StreamedInstances(ExactFloats values, int rows, int width) {
        this.values = values;
        this.rows = rows;
        this.width = width;
    }

    /** The body scanned as plain JSON ({@link PlainJson}), or null when it is not plain (then {@link #read} reads it). */
    static StreamedInstances scan(byte[] body) {
        PlainJson j = new PlainJson(body);
        if (!j.take('{')) {
            return null;
        }
        boolean signature = false;
        StreamedInstances instances = null;
        do {
            String field = j.key();
            if (field == null) {
                return null;
            }
            switch (field) {
                case "signature_name" -> {
                    if (signature || !"serving_default".equals(j.string())) {
                        return null;
                    }
                    signature = true;
                }
                case "instances" -> {
                    if (instances != null || (instances = rows(j)) == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        } while (j.take(','));
        // Content after the closing brace is not read, as the tree path (Jackson's readTree) leaves it.
        return j.take('}') ? instances : null;
    }

    /** {@code [[numbers], ...]} of plain numbers; null otherwise. */
    private static StreamedInstances rows(PlainJson j) {
        if (!j.take('[')) {
            return null;
        }
        ExactFloats values = new ExactFloats();
        int rows = 0;
        int width = 0;
        if (!j.take(']')) {
            do {
                if (!j.take('[')) {
                    return null;
                }
                int before = values.size();
                if (!j.take(']')) {
                    do {
                        if (!j.number(values)) {
                            return null;
                        }
                    } while (j.take(','));
                    if (!j.take(']')) {
                        return null;
                    }
                }
                int n = values.size() - before;
                width = rows == 0 || n == width ? n : -1;
                rows++;
            } while (j.take(','));
            if (!j.take(']')) {
                return null;
            }
        }
        return new StreamedInstances(values, rows, width);
    }

    /** The body read as a stream, or null when it is not of the plain row form (or not JSON at all). */
    static StreamedInstances read(byte[] body) {
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            StreamedInstances instances = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("signature_name")) {
                    if (v != JsonToken.VALUE_STRING || !"serving_default".equals(p.getText())) {
                        return null;
                    }
                } else if (field.equals("instances") && v == JsonToken.START_ARRAY) {
                    instances = rows(p);
                    if (instances == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            // Content after the closing brace is not read, as the tree path (Jackson's readTree) leaves it.
            return t == JsonToken.END_OBJECT ? instances : null;
        } catch (IOException e) {
            // Malformed JSON, a duplicate key, a limit exceeded: the tree path reads the body again and names it.
            return null;
        }
    }

    /** Rows of numbers up to the bracket closing {@code instances}; null at any other token. */
    private static StreamedInstances rows(JsonParser p) throws IOException {
        ExactFloats values = new ExactFloats();
        int rows = 0;
        int width = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_ARRAY) {
            int before = values.size();
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (!values.add(p)) {
                    return null;
                }
            }
            int n = values.size() - before;
            width = rows == 0 || n == width ? n : -1;
            rows++;
        }
        return t == JsonToken.END_ARRAY ? new StreamedInstances(values, rows, width) : null;
    }

    /** The rows as the model's one FP32 input, {@code [rows, width]}; null for other models or uneven rows. */
    Tensor tensor(ModelSignature s) {
        if (s.inputs().size() != 1 || rows == 0 || width < 0) {
            return null;
        }
        TensorSpec in = s.inputs().get(0);
        if (in.datatype() != DataType.FP32) {
            return null;
        }
        return Tensor.ofFloats(in.name(), new long[] {rows, width}, values.toArray());
    }
}
