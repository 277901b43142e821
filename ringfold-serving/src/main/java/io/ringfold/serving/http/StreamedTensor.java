package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ringfold.serving.core.Tensor;

import java.io.IOException;

/**
 * A v2 input tensor ({@code name}, {@code datatype}, {@code shape}, {@code data}) read from a parser without
 * tree nodes, for the common request: numbers only, each exactly a float. {@link #tensor} gives it when it
 * is FP32 and its count fits its shape, with the bits {@link JsonTensors#v2} gives, and otherwise answers
 * null so that the caller lets {@code JsonTensors} decide and name the error.
 */
final class StreamedTensor {

    private final String name;
    private final String datatype;
    /** Dimensions a shape may have here: rows and an image's channels, height and width, with room to spare. */
    private static final int MAX_RANK = 8;
    private final long[] shape;
    private final ExactFloats data;

    private StreamedTensor(String name, String datatype, long[] shape, ExactFloats data) {
        this.name = name;
        this.datatype = datatype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Reads the tensor object whose {@code START_OBJECT} is the parser's current token, up to its
     * {@code END_OBJECT}; null (the parser left anywhere) when some field is missing or not of the plain
     * form. Other fields are skipped, as the tree path ignores them.
     */
    static StreamedTensor read(JsonParser p) throws IOException {
        String name = null;
        String datatype = null;
        long[] shape = null;
        ExactFloats data = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "name" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    name = p.getText();
                }
                case "datatype" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    datatype = p.getText();
                }
                case "shape" -> {
                    shape = v == JsonToken.START_ARRAY ? shape(p) : null;
                    if (shape == null) {
                        return null;
                    }
                }
                case "data" -> {
                    data = new ExactFloats();
                    if (v != JsonToken.START_ARRAY || !values(p, data)) {
                        return null;
                    }
                }
                // Tensor parameters (binary_data_size, ...) change how the tensor is read: the tree path decides.
                case "parameters" -> {
                    return null;
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT || name == null || datatype == null || shape == null || data == null) {
            return null;
        }
        return new StreamedTensor(name, datatype, shape, data);
    }

    /**
     * Scans the tensor object that comes next in {@code j}, up to its closing brace; null when some part is
     * not plain, a field repeats or is missing, or a field other than the four is present (the Jackson
     * reader then decides).
     */
    static StreamedTensor scan(PlainJson j) {
        if (!j.take('{')) {
            return null;
        }
        String name = null;
        String datatype = null;
        long[] shape = null;
        ExactFloats data = null;
        do {
            String field = j.key();
            if (field == null) {
                return null;
            }
            switch (field) {
                case "name" -> {
                    if (name != null || (name = j.string()) == null) {
                        return null;
                    }
                }
                case "datatype" -> {
                    if (datatype != null || (datatype = j.string()) == null) {
                        return null;
                    }
                }
                case "shape" -> {
                    if (shape != null || (shape = shape(j)) == null) {
                        return null;
                    }
                }
                case "data" -> {
                    if (data != null || !j.take('[') || !values(j, data = new ExactFloats(), 1)) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        } while (j.take(','));
        if (!j.take('}') || name == null || datatype == null || shape == null || data == null) {
            return null;
        }
        return new StreamedTensor(name, datatype, shape, data);
    }

    /** {@code [d]} or {@code [rows, d]} of plain positive integers; null otherwise. */
    private static long[] shape(PlainJson j) {
        if (!j.take('[')) {
            return null;
        }
        long[] dims = new long[MAX_RANK];
        int n = 0;
        do {
            long d = j.positiveInteger();
            if (d < 1 || n == MAX_RANK) {
                return null;
            }
            dims[n++] = d;
        } while (j.take(','));
        if (!j.take(']')) {
            return null;
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    /** The rest of an array (its '[' read) of plain numbers or nested arrays, at most 8 deep, row-major. */
    private static boolean values(PlainJson j, ExactFloats out, int depth) {
        if (j.take(']')) {
            return true;
        }
        do {
            if (j.take('[')) {
                if (depth == 8 || !values(j, out, depth + 1)) {
                    return false;
                }
            } else if (!j.number(out)) {
                return false;
            }
        } while (j.take(','));
        return j.take(']');
    }

    /** One or two positive int or long dimensions up to the closing bracket; null otherwise. */
    private static long[] shape(JsonParser p) throws IOException {
        long[] dims = new long[MAX_RANK];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = p.getNumberType();
            if (n == MAX_RANK || (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) || p.getLongValue() < 1) {
                return null;
            }
            dims[n++] = p.getLongValue();
        }
        if (t != JsonToken.END_ARRAY || n == 0) {
            return null;
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    /** Values of nested arrays, row-major, up to the bracket that closes the current one; false on anything else. */
    private static boolean values(JsonParser p, ExactFloats out) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_ARRAY) {
                depth--;
            } else if (!out.add(p)) {
                return false;
            }
        }
        return true;
    }

    /** The tensor when it is FP32 and its element count is its shape's; null otherwise. */
    Tensor tensor() {
        if (!"FP32".equals(datatype) || Tensor.elementCount(shape) != data.size()) {
            return null;
        }
        return Tensor.ofFloats(name, shape, data.toArray());
    }
}
